import { readFileSync } from 'node:fs';
import { eventsByUser, observedStreamFeatures } from './services/lib/simulator/observed.js';
import { SEND } from './services/lib/simulator/product.js';
import { createRandom } from './services/lib/simulator/random.js';
import { createSimulator } from './services/lib/simulator/simulator.js';
import { sampleDecideRequests } from './services/lib/simulator/summary.js';
import { createLearner, featureSchemaFromBlueprint, initBackend } from './services/lib/learners/index.js';
import { parseBlueprintYaml } from './services/lib/blueprint/parse.js';
await initBackend({});
const bp = (parseBlueprintYaml(readFileSync('examples/notification_send.yaml', 'utf8')) as any).blueprint;
const schema = featureSchemaFromBlueprint(bp);
const T0 = Date.UTC(2025, 0, 6, Number(process.env.H ?? 5)); const DAY = 86_400_000; const HOUR = 3_600_000;
const sim = createSimulator({ seed: 42, users: 2000 });
const byUser = eventsByUser(sim.eventsBetween(T0 - DAY, T0 + 2 * HOUR));
const N = 60000; // 4 min at 250/s = 1.33 simulated hours
const requests = sampleDecideRequests(sim, T0, T0 + 1.33 * HOUR, N);
const labels = createRandom(99); const ex = createRandom(5);
const rows = requests.map((r) => {
  const f = observedStreamFeatures(byUser.get(r.entity) ?? [], r.ts);
  const x = { hour: r.context.hour, platform: r.context.platform, opens_1d: f.opens_1d, session_mean_7d: f.session_mean_7d, session_ewma: f.session_ewma, last_country: f.last_country } as any;
  const p = sim.clickProbability(r.entity, r.context);
  return { x, p, y: sim.outcomeFor(r.entity, r.context, SEND, labels.next()), e: ex.next() };
});
const opts = JSON.parse(process.env.OPTS ?? '{}');
const replayRatio = Number(process.env.RR ?? 3);
const learner = createLearner('logistic', schema, 'classification', opts);
const replay: any[] = [];
const rr = createRandom(7);
const judgeFrom = 40000;
let pending: any[] = [];
let sendsModel = 0, sendsOracle = 0, clicksModel = 0, clicksOracle = 0;
// the first 1000 decisions: no model (fallback skip + explore); then threshold policy
for (let i = 0; i < N; i++) {
  const r = rows[i]!;
  const score = i < 1000 ? 0 : learner.predictOne(r.x);
  const send = r.e < 0.04 ? r.e < 0.02 : score >= 0.3;
  if (i >= judgeFrom) {
    if (score >= 0.3) { sendsModel++; clicksModel += r.p; }
    if (r.p >= 0.3) { sendsOracle++; clicksOracle += r.p; }
  }
  if (send) pending.push(r);
  if (pending.length >= 64) {
    const lag = pending; pending = [];
    await learner.learnMany(lag.map((q) => q.x), lag.map((q) => q.y));
    if (replay.length > 0 && replayRatio > 0) {
      const draw = Array.from({ length: lag.length * replayRatio }, () => replay[Math.floor(rr.next() * replay.length)]);
      await learner.learnMany(draw.map((q) => q.x), draw.map((q) => q.y));
    }
    for (const q of lag) { replay.push(q); if (replay.length > 20000) replay.shift(); }
  }
}
const n = N - judgeFrom;
console.log(JSON.stringify(opts), 'RR', replayRatio, 'H', process.env.H ?? 5, 'share', (clicksModel / clicksOracle).toFixed(3), 'sends', (sendsModel / n).toFixed(3), 'oracle', (sendsOracle / n).toFixed(3));
