// Planning on the real stack with a known-answer simulator: users with a context, three actions
// whose rewards follow a logistic model only the simulator knows. The predictor decides with a
// LinUCB bandit the trainer keeps learning from the rewards reported as outcomes; the reward it
// reaches is compared with the oracle's, and `looper evaluate` estimates how another policy would
// have done on the same logged decisions — against that policy's exact value, which the simulator
// can compute.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerBlueprint } from '../../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../../services/lib/blueprint/parse.js';
import { LooperClient, type Decision } from '../../../services/sdk/index.js';
import { PlanningSimulator, type PlanningContext } from '../../../services/lib/simulator/planning.js';
import { candidateProbabilities } from '../../../services/lib/ope/evaluate.js';
import { SeededRandom } from '../../../services/lib/learners/random.js';
import type { Blueprint } from '../../../services/lib/schemas/generated.js';
import { testConfig, uniqueName } from '../../support/stack.js';
import { connectTestClients, type TestClients } from '../../support/clients.js';
import { looper, waitForPredictor } from '../../support/cli.js';
import type { SharedServices } from '../../support/services.js';
import { pollUntil } from '../../../services/lib/poll.js';

const DECISIONS = 6000;
/**
 * Sublinear regret, of the bandit's own choices: the second half's regret over the decisions the
 * policy made (not exploration's) is held below this share of the first half's. The total regret is
 * the wrong yardstick for it: exploration (5 % of decisions, a random action) adds a floor of about
 * 0.05 · (oracle − uniform) per decision in both halves, linear by design, so the faster the bandit
 * learns the closer the total's ratio comes to 1 (a CI run measured 0.64: 49.0 then 31.4, most of
 * the second half's the floor). Both ratios are printed.
 */
const MAX_REGRET_RATIO = 0.6;
const CONCURRENCY = 50;
/** A pause after each batch: about 300 decisions a second, so that the bandit is republished every few hundred. */
const PAUSE_MS = 120;

const yaml = (name: string, decision: string) => `
blueprint: ${name}
task: planning
entity: user
features:
  context:
    - { name: age, type: float }
    - { name: sessions, type: float }
    - { name: platform, type: category, values: [ios, android, web] }
label: { window: 5s, missing: 0 }
decision: { ${decision}, actions: [email, push, sms], default: email, explore: 5% }
training: { publish_every: 1s }
`;

function compile(text: string): Blueprint {
  const result = parseBlueprintYaml(text);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

interface Logged {
  readonly context: PlanningContext;
  readonly decision: Decision;
  /** The expected reward of the action taken, and the best action's. */
  readonly expected: number;
  readonly oracle: number;
}

export function planningSuite(services: () => SharedServices): void {
  describe('planning on the real stack', { timeout: 300_000 }, () => {
    const name = uniqueName('plan');
    const dir = mkdtempSync(join(tmpdir(), 'looper-planning-'));
    const sim = new PlanningSimulator({ seed: 42 });
    const random = new SeededRandom(7);
    const logged: Logged[] = [];
    let clients: TestClients;
    let client: LooperClient;

    before(async () => {
      clients = await connectTestClients();
      await registerBlueprint(
        { kafka: clients.kafka, registry: clients.registry },
        compile(yaml(name, 'policy: linucb, alpha: 0.5')),
      );
      await waitForPredictor(name, sim.user(0).context as unknown as Record<string, unknown>);
      // The bandit learns only once the joiner and the trainer consume: wait for their /readyz.
      for (const service of ['joiner', 'trainer'] as const) await services().ready(service);
      client = await LooperClient.connect({ ...testConfig, deadlineMs: 1000 });
    });

    after(async () => {
      await client?.close();
      await clients?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("planning - the bandit reaches 90 % of the oracle policy's reward, and its regret grows sublinearly", async () => {
      let next = 0;
      const decideOne = async (): Promise<Logged> => {
        const user = sim.user(next++ % sim.users.length);
        const decision = await client.decide(name, user.entity, user.context as unknown as Record<string, unknown>);
        const reward = sim.drawReward(user.context, decision.action, random);
        await client.outcome(decision.decisionId!, reward);
        const entry = {
          context: user.context,
          decision,
          expected: sim.rewardProbability(user.context, decision.action),
          oracle: sim.rewardProbability(user.context, sim.oracleAction(user.context)),
        };
        logged.push(entry);
        return entry;
      };
      // Until the first bandit decides, a slow trickle: the trainer may first read examples other
      // tests left behind, and the measured run must not be spent before it learns at all.
      await pollUntil('the first bandit to decide', 180_000, async () =>
        (await Promise.all(Array.from({ length: 10 }, decideOne))).some((l) => l.decision.model !== null)
          ? true
          : undefined,
      );
      const warmUp = logged.length;
      for (let start = 0; start < DECISIONS; start += CONCURRENCY) {
        await Promise.all(Array.from({ length: CONCURRENCY }, decideOne));
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
      const share = (from: number, to: number) => {
        const part = logged.slice(from, to);
        return part.reduce((s, l) => s + l.expected, 0) / part.reduce((s, l) => s + l.oracle, 0);
      };
      const regret = (from: number, to: number, own = false) =>
        logged
          .slice(from, to)
          .filter((l) => !own || l.decision.explored !== true)
          .reduce((s, l) => s + l.oracle - l.expected, 0);
      const end = logged.length;
      const last = share(end - 1500, end);
      const [first, second] = [regret(warmUp, warmUp + DECISIONS / 2), regret(warmUp + DECISIONS / 2, end)];
      const [ownFirst, ownSecond] = [
        regret(warmUp, warmUp + DECISIONS / 2, true),
        regret(warmUp + DECISIONS / 2, end, true),
      ];
      const models = new Set(logged.map((l) => l.decision.model).filter((m) => m !== null));
      console.log(
        `# oracle ${sim.oracleValue().toFixed(4)}, uniform ${sim.uniformValue().toFixed(4)}; ${warmUp} decisions until the first bandit decided, then ${DECISIONS}; the last 1,500 reached ${(100 * last).toFixed(1)} % of the oracle's expected reward; regret ${first.toFixed(1)} over the first half, ${second.toFixed(1)} over the second (ratio ${(second / first).toFixed(2)}); of the bandit's own choices ${ownFirst.toFixed(1)} then ${ownSecond.toFixed(1)} (ratio ${(ownSecond / ownFirst).toFixed(2)}); ${models.size} model versions decided`,
      );
      assert.ok(
        logged.slice(0, 10).every((l) => l.decision.fallback),
        'before any model, the default (and its exploration) answers',
      );
      const late = logged[logged.length - 1]!.decision;
      assert.deepEqual(
        Object.keys(late.scores ?? {}).sort(),
        ['email', 'push', 'sms'],
        "a bandit reply carries every action's estimated reward",
      );
      assert.ok(last >= 0.9, `reward share ${last}`);
      assert.ok(
        ownSecond < MAX_REGRET_RATIO * ownFirst,
        `regret of the bandit's own choices ${ownFirst} then ${ownSecond} over the two halves of the measured run: it must shrink as the bandit learns`,
      );
    });

    it("looper evaluate - estimates another policy on the logged decisions, within 3.29 standard errors of that policy's exact value", async () => {
      const candidate = compile(yaml(name, 'policy: epsilon_greedy, epsilon: 0.3'));
      const file = join(dir, 'candidate.yaml');
      writeFileSync(file, yaml(name, 'policy: epsilon_greedy, epsilon: 0.3'));
      // The candidate's exact value on these decisions: its probabilities from the logged scores, times the true reward probabilities.
      let exact = 0;
      for (const l of logged) {
        const p = candidateProbabilities(candidate.decision, l.decision.fallback ? null : (l.decision.scores ?? null));
        assert.ok(!('unsupported' in p));
        for (const [action, share] of Object.entries(p))
          exact += (share * sim.rewardProbability(l.context, action)) / logged.length;
      }
      // Every reward must be in looper.examples before the estimate is taken.
      const { code, out } = await (async () => {
        for (let attempt = 0; ; attempt++) {
          const run = await looper(['evaluate', name, '--candidate', file, '--since', '1h']);
          if (run.code !== 0 || /awaiting a reward/.test(out0(run.out)) === false || attempt === 10) return run;
          await new Promise((r) => setTimeout(r, 2000));
        }
      })();
      console.log(
        out
          .trim()
          .split('\n')
          .map((l) => `# ${l}`)
          .join('\n'),
      );
      assert.equal(code, 0, out);
      const dr = /candidate \(DR\)\s+(-?\d\.\d+) \[(-?\d\.\d+), (-?\d\.\d+)\]/.exec(out);
      assert.ok(dr, out);
      const [estimate, low, high] = [Number(dr[1]), Number(dr[2]), Number(dr[3])];
      console.log(
        `# exact value of the candidate on these decisions: ${exact.toFixed(4)}; DR ${estimate} [${low}, ${high}]`,
      );
      // A 95 % interval misses its value in one run of twenty by design (the estimators' coverage
      // is measured over many replications by their unit tests), so one run is held to 99.9 %: the
      // printed interval widened from 1.96 to 3.29 standard errors, plus the printed figures' rounding.
      const allowed = ((high - low) / 2) * (3.29 / 1.96) + 0.0005;
      assert.ok(
        Math.abs(exact - estimate) <= allowed,
        `DR ${estimate} is ${Math.abs(exact - estimate).toFixed(4)} from the exact value ${exact}, beyond 3.29 standard errors (${allowed.toFixed(4)}) of its interval [${low}, ${high}]`,
      );
      const evaluated = /on ([\d,]+) logged decisions/.exec(out);
      assert.ok(
        evaluated && Number(evaluated[1]!.replace(/,/g, '')) >= DECISIONS,
        'every decision with its reward (and the probe that waited for the predictor)',
      );
    });
  });
}

/** The join line of `looper evaluate` (its first line). */
function out0(text: string): string {
  return text.split('\n')[0] ?? '';
}
