// The predictor service: answers decide requests on NATS (queue group, stateless, scales out).
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { watchModels } from './models.js';
import { createDecisionLog } from './decision-log.js';
import { startDecideResponder } from './predictor.js';

const ctx = await startServiceContext('predictor', compileConfig(process.env, homedir()));
const blueprints = await watchBlueprints(ctx, (bp) => ctx.log(`blueprint ${bp.name} version ${bp.version}`));
const models = await watchModels(ctx);
const decisions = createDecisionLog(ctx.producer, ctx.codec, ctx.log);
ctx.onShutdown(() => decisions.flush());
await blueprints.caughtUp;
const stats = startDecideResponder(ctx, blueprints, models, decisions);
ctx.markReady();
ctx.log(`answering decide requests (${blueprints.current().size} blueprints)`);
const report = setInterval(() => ctx.log(`requests ${stats.requests}, fallbacks ${stats.fallbacks}, errors ${stats.errors}, decisions logged ${decisions.logged()}`), 30_000);
report.unref();
