// The rollout service: owns looper.deployments. AutoML candidates enter shadow, are compared with
// the live model on the same requests and promoted (through a canary when the blueprint asks for
// one) or rejected; a live model whose metric drops is rolled back; in apprentice mode, the model
// takes over from the caller once it agrees with it often enough. Its only state is the compacted
// deployments topic: the evidence is rebuilt on start from the last hour of examples and decisions.
import { homedir } from 'node:os';
import { compileConfig } from '../lib/config.js';
import { startServiceContext } from '../lib/runtime.js';
import { watchBlueprints } from '../lib/blueprint-watch.js';
import { readTopicToEnd } from '../lib/kafka.js';
import { errorMessage } from '../lib/errors.js';
import { repeatAfter } from '../lib/repeat.js';
import { followDecoded } from '../lib/serving/follow-topic.js';
import type { Decision, Deployment, Example, ModelVersion } from '../lib/schemas/generated.js';
import { initialDeployment } from '../lib/rollout/transitions.js';
import { topics } from '../../topology/topics.js';
import { BlueprintRollout, comparedMetric, type VersionFacts } from './blueprint-rollout.js';
import { looperCounter } from '../lib/observability/service-metrics.js';

/** How far back the evidence is rebuilt from on start. */
const REPLAY_MS = 60 * 60 * 1000;
/** How often the evidence is judged. */
const JUDGE_EVERY_MS = 2000;

const ctx = await startServiceContext('rollout', compileConfig(process.env, homedir()));
const blueprints = await watchBlueprints(ctx, () => undefined);
await blueprints.caughtUp;

// Deployments first, to the end: a candidate is judged new only against the state it is new to.
const deployments = new Map<string, Deployment>();
const applyDeployment = (d: Deployment): void => {
  const current = deployments.get(d.blueprint);
  if (!current || d.revision > current.revision) deployments.set(d.blueprint, d);
};
for (const { message } of await readTopicToEnd(ctx.kafka, topics.deployments.name)) {
  if (message.value) applyDeployment(await ctx.codec.decode<Deployment>(topics.deployments, message.value));
}
await followDecoded<Deployment>(ctx, topics.deployments, applyDeployment);

const parents = new Map<string, string | null>();
const pendingCandidates: Array<{ blueprint: string; facts: VersionFacts }> = [];
await followDecoded<ModelVersion>(ctx, topics.models, (mv) => {
  parents.set(mv.modelVersion, mv.parentVersion);
  if (mv.role === 'candidate') {
    const { modelVersion, role, parentVersion, sizeBytes, p99InferenceUs, metrics } = mv;
    pendingCandidates.push({
      blueprint: mv.blueprint,
      facts: { modelVersion, role, parentVersion, sizeBytes, p99InferenceUs, metrics },
    });
  }
});

const rollouts = new Map<string, BlueprintRollout>();
function rolloutFor(name: string): BlueprintRollout | null {
  const bp = blueprints.current().get(name);
  if (!bp || comparedMetric(bp) === null) return null;
  let r = rollouts.get(name);
  if (!r) {
    r = new BlueprintRollout(bp, (v) => parents.get(v));
    rollouts.set(name, r);
  }
  r.blueprint = bp;
  return r;
}

// The evidence: examples and decisions from the last REPLAY_MS on.
const replayFrom = Date.now() - REPLAY_MS;
await followDecoded<Example>(
  ctx,
  topics.examples,
  (example) => {
    const d = deployments.get(example.blueprint);
    if (d) rolloutFor(example.blueprint)?.observe(example, d);
  },
  replayFrom,
);
// Logged decisions, for apprentice mode: how often the model agrees with the caller.
await followDecoded<Decision>(
  ctx,
  topics.decisions,
  (decision) => {
    if (decision.apprenticeAction === null) return;
    rolloutFor(decision.blueprint)?.observeDecision(
      decision,
      deployments.get(decision.blueprint) ?? initialDeployment(decision.blueprint),
    );
  },
  replayFrom,
);

const transitions = looperCounter(ctx.metrics, 'rolloutTransitions');
async function publish(d: Deployment): Promise<void> {
  await ctx.producer.send({
    topic: topics.deployments.name,
    acks: -1,
    messages: [{ key: d.blueprint, value: ctx.codec.encode(topics.deployments, d) }],
  });
  applyDeployment(d);
  const t = d.transition!;
  transitions.inc({ to: t.to });
  ctx.log(`${d.blueprint}: ${t.modelVersion} ${t.from} → ${t.to}: ${t.reason}`);
}

async function judge(): Promise<void> {
  const now = Date.now();
  while (pendingCandidates.length > 0) {
    const { blueprint, facts } = pendingCandidates.shift()!;
    const r = rolloutFor(blueprint);
    if (!r) continue;
    const next = r.admit(deployments.get(blueprint) ?? initialDeployment(blueprint), facts, now);
    if (next) await publish(next);
  }
  // Blueprints in apprentice mode may have no deployment yet: the newest trained model scores them.
  for (const name of new Set([...deployments.keys(), ...rollouts.keys()])) {
    const next = rolloutFor(name)?.step(deployments.get(name) ?? initialDeployment(name), now);
    if (next) await publish(next);
  }
}

ctx.onShutdown(
  repeatAfter(
    judge,
    () => JUDGE_EVERY_MS,
    (error) => ctx.log(`judging failed: ${errorMessage(error)}`),
  ),
);
const report = setInterval(() => {
  for (const [name, r] of rollouts) {
    const apprentice = r.apprenticeProgress(deployments.get(name));
    if (apprentice !== null) ctx.log(`${name}: apprentice: ${apprentice}`);
    for (const p of r.progress())
      ctx.log(
        `${name}: shadow ${p.modelVersion}: ${p.paired} paired examples${p.lastLook === null ? '' : `; last look: ${p.lastLook}`}`,
      );
  }
}, 30_000);
report.unref();
ctx.markReady();
ctx.log('rolling out candidates from looper.models');
