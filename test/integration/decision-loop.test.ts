// The decision loop end to end on the real stack, with a known-answer simulator: the services run
// as their own processes, the features and joiner services are killed -9 mid-stream and restarted,
// and the run is audited against the simulator's truth and a recomputation from the topics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient } from '../../services/lib/schema-registry.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { applyTopology } from '../../topology/apply.js';
import { allTopics, topics } from '../../topology/topics.js';
import { createTopicCodec } from '../../services/lib/topic-codec.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { startDemo, demoDefaults, type DemoDecision } from '../../services/demo/driver.js';
import { auc, netClicks } from '../../services/demo/scoreboard.js';
import { planFeatureStreams } from '../../services/lib/features/index.js';
import { createRandom } from '../../services/lib/simulator/index.js';
import { consumerGroups } from '../../services/lib/names.js';
import type { Blueprint, Decision, Example } from '../../services/lib/schemas/generated.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';
import { waitForPredictor } from '../support/cli.js';
import { featureStates, groupLag, loopBlueprint } from '../support/loop.js';
import { pollUntil } from '../../services/lib/poll.js';
import { serviceLogFile } from '../support/service-log.js';

const run = promisify(execFile);
const THRESHOLD = 0.3;
/** Stated bounds: the simulator's Bayes-optimal AUC is 0.853 and a logistic regression on the observable features reaches ~0.81 offline. */
const MIN_SERVED_AUC = 0.75;
/**
 * The decision-loop issue's bar: 90 % of the oracle's lift over the default (never send: 0 clicks)
 * in the policy's outcome rate (clicks per decision). Runs of 2026-11-29 measured 85.4–96.2 %, and
 * the bar was lowered to 85 % while the cause was open: the served model's send rate wandered
 * between runs. Two causes were found (issue "sound judgments"): continuations replaced the serving
 * model unjudged, so one trained on a bad stretch served until the next, and the model learned
 * only from the requests it chose to send to, unweighted, feeding its own bias back. Both are
 * fixed (continuations earn their swap; examples weigh 1/propensity), and the bar is 90 % again.
 */
const MIN_CLICK_LIFT_SHARE = 0.9;
/**
 * Clicks alone reward sending to everybody, which beats the oracle on clicks; the threshold says a
 * send costs 0.3 clicks, so the policy is also held to a share of the oracle's net clicks.
 */
const MIN_NET_LIFT_SHARE = 0.6;
/**
 * The served model learns for LEARNING_MS before it is judged. A continuation now waits for its
 * judgement before it serves (16–30 s here: labelled examples newer than it, enough to bound the
 * gain), so 55 s served only three versions, the last trained on 4,900 examples (90.2 % of the
 * lift in that run); 80 s serves the model that learned from most of the run.
 */
const DECIDES_PER_SECOND = 400;
const LEARNING_MS = 80_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records older than this run are not this test's: reading from it keeps the reads short however long the stack has run. */
const startedAt = Date.now() - 60_000;

describe('the decision loop on the real stack', { timeout: 600_000 }, () => {
  const name = uniqueName('loop');
  let bp: Blueprint;
  let supervisor: Supervisor | undefined;
  let admin: Admin;
  const kafka = createKafkaClient(testConfig, { clientId: 'looper-test' });

  before(async () => {
    await ensureStack();
    admin = kafka.admin();
    await admin.connect();
    const registry = createSchemaRegistryClient(testConfig);
    await applyTopology(admin, registry, allTopics);
    bp = (await registerBlueprint({ kafka, registry }, loopBlueprint(name))).blueprint;
    const example = parseBlueprintYaml(readFileSync('examples/notification_send.yaml', 'utf8'));
    assert.ok(example.ok);
    await registerBlueprint({ kafka, registry }, example.blueprint);
    const serviceLog = serviceLogFile('decision-loop');
    // The continual loop alone: AutoML's direct promotion is exercised by automl.test.ts, and here it
    // would change mid-run which model is judged.
    supervisor = superviseServices(['features', 'joiner', 'trainer', 'predictor'], {
      log: (line) => serviceLog.write(line),
    });
  });

  after(async () => {
    await supervisor?.stop();
    await admin?.disconnect();
  });

  it('decision loop - learns from the first request, survives kill -9, and every record is accounted for', async () => {
    const decisions: DemoDecision[] = [];
    const log = (line: string) => console.log(`# ${line}`);
    await waitForPredictor(name, { hour: 9, platform: 'ios' });
    const run = await startDemo(
      testConfig,
      { ...demoDefaults, blueprint: name, decidesPerSecond: DECIDES_PER_SECOND, threshold: THRESHOLD },
      { log, onDecision: (d) => decisions.push(d) },
    );
    try {
      // 1. Before any model: fallbacks with the default, logged all the same.
      await pollUntil('the first 100 decisions', 60_000, () => (decisions.length >= 100 ? true : undefined));
      const first = decisions.slice(0, 50);
      const reasons = first.map((d) => d.fallbackReason ?? 'none');
      console.log(
        `# first decisions: ${JSON.stringify(Object.fromEntries([...new Set(reasons)].map((r) => [r, reasons.filter((x) => x === r).length])))}`,
      );
      assert.ok(
        first.every((d) => d.fallback),
        'the first decisions are fallbacks (no model exists yet)',
      );

      // 2. Kill -9 the features and the joiner services mid-stream; the supervisor does not restart them at once.
      await sleep(10_000);
      await supervisor!.kill('features', false);
      await sleep(3000);
      supervisor!.start('features');
      await sleep(10_000);
      await supervisor!.kill('joiner', false);
      await sleep(3000);
      supervisor!.start('joiner');

      // 3. The served model takes over, then is judged on fresh traffic against the simulator's truth.
      await pollUntil('a served model on nearly every decision', 240_000, () => {
        const recent = decisions.slice(-300);
        return recent.length === 300 && recent.filter((d) => d.fallback).length <= 6 ? true : undefined;
      });
      await sleep(LEARNING_MS); // learning on served traffic before it is judged
      const freshFrom = decisions.length;
      // Judged over 6,000 decisions (15 s, seven model versions): one version's send rate wanders a little.
      await pollUntil('6000 fresh decisions', 120_000, () => (decisions.length - freshFrom >= 6000 ? true : undefined));
      const fresh = decisions.slice(freshFrom).filter((d) => !d.fallback && d.score !== null);
      const random = createRandom(11);
      const wouldClick = fresh.map((d) => (random.next() < d.truth ? 1 : 0) as 0 | 1);
      const servedAuc = auc(
        fresh.map((d) => d.score!),
        wouldClick,
      )!;
      // The policy as served (score ≥ threshold) against the oracle (truth ≥ threshold); the default never sends.
      const sends = (d: DemoDecision) => d.score! >= THRESHOLD;
      const oracleSends = (d: DemoDecision) => d.truth >= THRESHOLD;
      const total = (pick: (d: DemoDecision) => boolean, value: (d: DemoDecision) => number) =>
        fresh.reduce((sum, d) => sum + (pick(d) ? value(d) : 0), 0);
      const clickShare = total(sends, (d) => d.truth) / total(oracleSends, (d) => d.truth);
      const netShare =
        total(sends, (d) => netClicks(d.truth, THRESHOLD)) / total(oracleSends, (d) => netClicks(d.truth, THRESHOLD));
      const sendRate = fresh.filter(sends).length / fresh.length;
      const oracleSendRate = fresh.filter(oracleSends).length / fresh.length;
      console.log(
        `# fresh traffic: ${fresh.length} decisions, served AUC ${servedAuc.toFixed(3)}; clicks ${(clickShare * 100).toFixed(1)} % and net clicks ${(netShare * 100).toFixed(1)} % of the oracle's lift; sends ${(sendRate * 100).toFixed(1)} % (oracle ${(oracleSendRate * 100).toFixed(1)} %)`,
      );
      // Which versions served the judged decisions, each with its own figures: a miss names its version.
      for (const model of [...new Set(fresh.map((d) => d.model))]) {
        const own = fresh.filter((d) => d.model === model);
        const ownShare =
          own.reduce((sum, d) => sum + (sends(d) ? d.truth : 0), 0) /
          own.reduce((sum, d) => sum + (oracleSends(d) ? d.truth : 0), 0);
        console.log(
          `#   ${model}: ${own.length} decisions, clicks ${(ownShare * 100).toFixed(1)} % of the oracle's lift, sends ${((own.filter(sends).length / own.length) * 100).toFixed(1)} % (oracle ${((own.filter(oracleSends).length / own.length) * 100).toFixed(1)} %)`,
        );
      }
      assert.ok(servedAuc > MIN_SERVED_AUC, `served AUC ${servedAuc} > ${MIN_SERVED_AUC}`);
      assert.ok(
        clickShare >= MIN_CLICK_LIFT_SHARE,
        `the policy's outcome rate reaches ${clickShare} ≥ ${MIN_CLICK_LIFT_SHARE} of the oracle's lift`,
      );
      assert.ok(
        netShare >= MIN_NET_LIFT_SHARE,
        `the policy's net clicks reach ${netShare} ≥ ${MIN_NET_LIFT_SHARE} of the oracle's`,
      );
      // Models were swapped many times under load, and services were killed: every decide still got an answer.
      assert.equal(run.errors(), 0, 'no decide request failed or went unanswered');
    } finally {
      run.pauseEvents();
      await sleep(1000);
      await run.stop();
    }

    // 4. Audit: the early fallbacks are in the decision log.
    const codec = await createTopicCodec(createSchemaRegistryClient(testConfig), allTopics);
    const logged = new Set<string>();
    for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 120_000, startedAt)) {
      const d = await codec.decode<Decision>(topics.decisions, message.value!);
      if (d.blueprint === name) logged.add(d.decisionId);
    }
    const early = decisions.slice(0, 50).map((d) => d.decisionId!);
    assert.deepEqual(
      early.filter((id) => !logged.has(id)),
      [],
      'every early fallback decision is logged',
    );

    // 5. Audit: no example twice, through a kill -9 of the joiner.
    const ids: string[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 120_000, startedAt)) {
      const e = await codec.decode<Example>(topics.examples, message.value!);
      if (e.blueprint === name) ids.push(e.exampleId);
    }
    assert.ok(ids.length > 1000, `examples were emitted (${ids.length})`);
    assert.equal(new Set(ids).size, ids.length, 'no example is emitted twice');

    // 6. Audit: after a kill -9 of the features service, its state equals a recomputation from the topics.
    const inputTopics = planFeatureStreams([bp]).topics.map((t) => t.topic);
    await pollUntil('the features service to catch up', 120_000, async () =>
      (await groupLag(admin, consumerGroups.features, inputTopics)) === 0 ? true : undefined,
    );
    const { expected, actual } = await featureStates(kafka, bp);
    assert.ok(expected.size > 1000, `states to compare (${expected.size})`);
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), 'the same entity states exist');
    for (const [key, state] of expected) assert.deepEqual(actual.get(key), state, `state ${key}`);
  });

  it('decision loop - the SDK example (examples/sdk-example.ts, shown in docs/decisions.md) runs against the services and gets a decision', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/sdk-example.ts'], {
      env: process.env,
      timeout: 60_000,
    });
    assert.match(stdout, /^action (send|skip) \(score .*, fallback (true|false), model .*\)$/m);
  });
});
