// A blueprint A/B experiment on the real stack: the simulated product asks one blueprint, the
// predictor decides with the arm each user is assigned to, and `looper experiment status` reports
// each arm's clicks per decision, the difference with an anytime-valid interval, and a recommendation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { topics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { startDemo, demoDefaults, type DemoRun } from '../../services/demo/driver.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Blueprint, Decision } from '../../services/lib/schemas/generated.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { looper, waitForPredictor } from '../support/cli.js';
import { serviceLogFile } from '../support/service-log.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function armBlueprint(
  name: string,
  experiment: string,
  arms: [string, string],
  threshold: string,
  defaultAction: string,
): Blueprint {
  const yaml = readFileSync('examples/notification_send.yaml', 'utf8')
    .replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`)
    .replace(/^ {2}window: 30m\b/m, '  window: 10s')
    .replace(/^ {2}publish_every: 30s\b/m, '  publish_every: 2s')
    .replace(/^ {2}threshold: 0.3\b/m, `  threshold: ${threshold}`)
    .replace(/^ {2}default: skip\b/m, `  default: ${defaultAction}`)
    .replace(/^# experiment: .*$/m, `experiment: { name: ${experiment}, arms: { ${arms[0]}: 50%, ${arms[1]}: 50% } }`);
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/** Records older than this run are not this test's: reading from it keeps the reads short however long the stack has run. */
const startedAt = Date.now() - 60_000;

describe('a blueprint A/B experiment on the real stack', { timeout: 420_000 }, () => {
  const control = uniqueName('exp_a');
  const treatment = uniqueName('exp_b');
  const experiment = uniqueName('exp');
  let clients: TestClients;
  let kafka: Kafka;
  let supervisor: Supervisor | undefined;
  let demo: DemoRun | undefined;

  before(async () => {
    clients = await connectTestClients();
    kafka = clients.kafka;
    const registry = clients.registry;
    // The control sends by default and at a score of 0.3; the treatment skips by default and sends
    // only at 0.9, so it sends, and is clicked, far less — before and after models exist.
    await registerBlueprint(
      { kafka, registry },
      armBlueprint(control, experiment, [control, treatment], '0.3', 'send'),
    );
    await registerBlueprint(
      { kafka, registry },
      armBlueprint(treatment, experiment, [control, treatment], '0.9', 'skip'),
    );
    const serviceLog = serviceLogFile('experiment');
    supervisor = superviseServices(['features', 'joiner', 'trainer', 'predictor'], {
      log: (line) => serviceLog.write(line),
    });
  });

  after(async () => {
    await demo?.stop();
    await supervisor?.stop();
    await clients?.close();
  });

  it('experiment - each user stays in one arm, arms decide with their own blueprint, and the status gives lift, interval and recommendation', async () => {
    const log = (line: string) => console.log(`# ${line}`);
    await waitForPredictor(control, { hour: 9, platform: 'ios' });
    let asked = 0;
    let lastAt = 0;
    demo = await startDemo(
      testConfig,
      { ...demoDefaults, blueprint: control, users: 1000, decidesPerSecond: 250 },
      {
        log,
        // Replies the predictor gave (not the SDK's own fallback when it cannot be reached): each is logged.
        onDecision: (d) => {
          lastAt = Date.now();
          if (d.fallbackReason !== 'unreachable') asked++;
        },
      },
    );
    await pollUntil('4,000 decisions', 120_000, () => (asked >= 4000 ? true : undefined));
    await demo.stop();
    demo = undefined;
    const codec = clients.codec;
    // Decisions are logged in batches after the reply: wait for the last ones.
    const decisions = await pollUntil(`the ${asked} decisions on ${topics.decisions.name}`, 60_000, async () => {
      const found: Decision[] = [];
      for (const { message } of await readTopicToEnd(kafka, topics.decisions.name, 120_000, startedAt)) {
        const d = await codec.decode<Decision>(topics.decisions, message.value!);
        if (d.experiment === experiment) found.push(d);
      }
      return found.length >= asked ? found : undefined;
    });
    const armOf = new Map<string, string>();
    for (const d of decisions) {
      assert.equal(
        d.blueprint,
        d.experimentArm,
        "the arm's blueprint decides and is logged as the decision's blueprint",
      );
      const seen = armOf.get(d.entity);
      assert.ok(seen === undefined || seen === d.experimentArm, `${d.entity} switched arms`);
      armOf.set(d.entity, d.experimentArm!);
    }
    const inTreatment = [...armOf.values()].filter((a) => a === treatment).length / armOf.size;
    assert.ok(
      Math.abs(inTreatment - 0.5) < 0.06,
      `${(100 * inTreatment).toFixed(1)} % of ${armOf.size} users in the treatment`,
    );

    // Every decision becomes an example once its 10 s label window closes.
    await pollUntil('an example for every decision', 120_000, async () => {
      let n = 0;
      for (const { message } of await readTopicToEnd(kafka, topics.examples.name, 120_000, startedAt)) {
        const e = await codec.decode<{ experimentArm: string | null; blueprint: string }>(
          topics.examples,
          message.value!,
        );
        if (e.experimentArm !== null && (e.blueprint === control || e.blueprint === treatment)) n++;
      }
      return n >= decisions.length ? n : undefined;
    });
    // The status counts only decisions whose 10 s label window has closed (plus 10 s for the joiner).
    await sleep(Math.max(0, lastAt + 21_000 - Date.now()));
    const { code, out } = await looper(['experiment', 'status', experiment]);
    console.log(
      out
        .split('\n')
        .map((l) => `# ${l}`)
        .join('\n'),
    );
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`control ${control} \\(registered first\\)`));
    assert.match(
      out,
      /counting the decisions made before \S+, whose label windows \(10 s\) have closed; 0 younger ones wait for their labels/,
    );
    assert.match(out, new RegExp(`${control} \\(control\\)\\s+50 %\\s+\\d+\\s+\\d+\\s+0\\.\\d{4}`));
    assert.match(out, new RegExp(`${treatment}\\s+-?0\\.\\d{4} \\[-?0\\.\\d{4}, -?0\\.\\d{4}\\]`));
    assert.match(out, /sample ratio check: p = \S+ \(split as declared\)/);
    assert.match(
      out,
      new RegExp(
        `recommendation: keep ${control}: every other arm is worse — ${treatment} −0\\.\\d{4} per decision \\(interval -0\\.\\d{4} to -0\\.\\d{4}; −\\d+\\.\\d % relative\\); significant at any look`,
      ),
    );
  });
});
