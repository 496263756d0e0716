// Monitoring on the real stack: the predictor answers a blueprint whose model carries the profile
// of its training data; the monitor measures the decisions, raises a drift alert when one feature
// shifts and clears it once traffic is back to normal; every service answers /metrics, /healthz
// and /readyz; and the dashboard, opened in a real headless Chromium, shows live numbers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { chromium, type Browser } from 'playwright-core';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import type { TopicCodec } from '../../services/lib/topic-codec.js';
import { topics } from '../../topology/topics.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { featureSchemaFromBlueprint, initBackend } from '../../services/lib/learners/index.js';
import { scoresOf } from '../../services/lib/learners/serving.js';
import { buildProfile } from '../../services/lib/monitoring/profile.js';
import { LooperClient } from '../../services/sdk/index.js';
import { pollUntil } from '../../services/lib/poll.js';
import type { Alert, Blueprint } from '../../services/lib/schemas/generated.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { waitForPredictor } from '../support/cli.js';
import { publishModel, trainLogistic } from '../support/models.js';

const CHROMIUM = process.env['LOOPER_CHROMIUM'] ?? '/usr/bin/chromium';

function monitoredBlueprint(name: string): Blueprint {
  const result = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features:
  context:
    - { name: hour, type: int }
    - { name: platform, type: category, values: [ios, android, web] }
label: { window: 30s, missing: 0 }
decision: { policy: threshold, threshold: 0.5, actions: [send, skip], default: skip }
monitoring:
  alerts:
    - { on: feature_drift, psi: 0.2 }
`);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

/** The value of the Prometheus sample `metric` whose labels include `labels` (in any order), or null. */
function sample(exposition: string, metric: string, labels: Record<string, string>): number | null {
  for (const line of exposition.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    const found = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return null;
}

const PLATFORMS = ['ios', 'android', 'web'];
const normal = (i: number) => ({ hour: i % 24, platform: PLATFORMS[i % 3]! });
const shifted = (i: number) => ({ hour: 3, platform: PLATFORMS[i % 3]! });

describe('monitoring on the real stack', { timeout: 300_000 }, () => {
  const name = uniqueName('monitored');
  let clients: TestClients;
  let kafka: Kafka;
  let producer: Producer;
  let codec: TopicCodec;
  let supervisor: Supervisor | undefined;
  let client: LooperClient;
  let browser: Browser | undefined;
  const addresses = new Map<string, string>();
  let sent = 0;

  /** A model trained on every hour and platform, carrying the profile of that training data. */
  const publishProfiledModel = async (bp: Blueprint): Promise<void> => {
    const xs = Array.from({ length: 2400 }, (_, i) => normal(i));
    const artifact = await trainLogistic(
      bp,
      xs,
      xs.map((x) => (x.hour >= 12 ? 1 : 0)),
      { learningRate: 0.1, epochs: 1 },
    );
    const names = featureSchemaFromBlueprint(bp).features.map((f) => f.name);
    const profile = JSON.stringify(buildProfile(xs, scoresOf(artifact, xs), names));
    await publishModel({ producer, codec }, bp, artifact, {
      modelVersion: `${bp.name}/1`,
      sequence: 1,
      trainedOnExamples: xs.length,
      profile,
    });
  };

  const send = async (count: number, context: (i: number) => Record<string, unknown>): Promise<void> => {
    for (let start = 0; start < count; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - start) }, (_, k) =>
          client.decide(name, `user-${(sent + start + k) % 500}`, context(sent + start + k)),
        ),
      );
    }
    sent += count;
  };

  const driftAlerts = async (): Promise<Alert[]> => {
    const found: Alert[] = [];
    for (const { message } of await readTopicToEnd(kafka, topics.alerts.name)) {
      const a = await codec.decode<Alert>(topics.alerts, message.value!);
      if (a.blueprint === name && a.rule === 'feature_drift') found.push(a);
    }
    return found;
  };

  before(async () => {
    await initBackend();
    clients = await connectTestClients();
    ({ kafka, producer, codec } = clients);
    const bp = (await registerBlueprint({ kafka, registry: clients.registry }, monitoredBlueprint(name))).blueprint;
    await publishProfiledModel(bp);
    // Ephemeral ops ports, read back from the services' logs: a developer's running demo keeps its own.
    supervisor = superviseServices(['predictor', 'monitor'], {
      env: { ...process.env, LOOPER_OPS_PORT: '0', LOOPER_MONITOR_TICK_MS: '1000' },
      log: (line) => {
        const m = /^\[(\w+)\] ops server on (http:\/\/\S+)/.exec(line);
        if (m) addresses.set(m[1]!, m[2]!);
        if (/^\[monitor\] (alert|tick failed)/.test(line)) console.log(`# ${line}`);
      },
    });
    await waitForPredictor(name, normal(0));
    client = await LooperClient.connect({ ...testConfig, deadlineMs: 500 });
  });

  after(async () => {
    await browser?.close();
    await client?.close();
    await supervisor?.stop();
    await clients?.close();
  });

  it('monitor - a feature shift raises a drift alert for that feature only, and it clears once traffic is normal again', async () => {
    await send(1200, normal);
    const monitor = await pollUntil('the monitor to serve its overview', 60_000, async () => {
      const base = addresses.get('monitor');
      const overview = base
        ? await fetch(`${base}/api/overview`)
            .then((r) => r.json())
            .catch(() => undefined)
        : undefined;
      const current = (
        overview as
          | {
              blueprints?: Array<{
                name: string;
                current: { decisions: number; features: Array<{ name: string; psi: number | null }> } | null;
              }>;
            }
          | undefined
      )?.blueprints?.find((b) => b.name === name)?.current;
      return current && current.decisions >= 1200 && current.features.every((f) => f.psi !== null)
        ? current
        : undefined;
    });
    console.log(`# before the shift: ${monitor.features.map((f) => `${f.name} PSI ${f.psi}`).join(', ')}`);
    assert.ok(
      monitor.features.every((f) => f.psi! < 0.1),
      'traffic like the training data shows no drift',
    );

    await send(1200, shifted);
    const raised = await pollUntil('a drift alert on hour', 60_000, async () =>
      (await driftAlerts()).find((a) => a.state === 'raised'),
    );
    console.log(`# raised: ${raised.message}`);
    assert.deepEqual(
      [raised.labels['feature'], raised.severity, raised.modelVersion, raised.threshold],
      ['hour', 'warning', `${name}/1`, 0.2],
    );
    assert.match(
      raised.message,
      /^feature hour drifted from the serving model's training data: PSI \d+\.\d{3}, above PSI 0\.200$/,
    );
    assert.ok(raised.value! > 1);

    await send(1500, normal);
    const cleared = await pollUntil('the drift alert to clear', 60_000, async () =>
      (await driftAlerts()).find((a) => a.state === 'cleared'),
    );
    console.log(`# cleared: ${cleared.message}`);
    assert.equal(cleared.alertId, raised.alertId, 'the clearing record ends the same episode');
    const all = await driftAlerts();
    assert.deepEqual(
      all.map((a) => [a.labels['feature'], a.state]),
      [
        ['hour', 'raised'],
        ['hour', 'cleared'],
      ],
      'platform never drifted, and the alert did not flap',
    );
  });

  it('ops - every service answers /healthz, /readyz and Prometheus /metrics with its own series', async () => {
    const predictor = addresses.get('predictor')!;
    const monitor = addresses.get('monitor')!;
    for (const base of [predictor, monitor]) {
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
    }
    const decides = await (await fetch(`${predictor}/metrics`)).text();
    const answered = sample(decides, 'looper_decide_requests_total', {
      blueprint: name,
      outcome: 'model',
      service: 'predictor',
    });
    assert.ok(answered !== null && answered >= sent, `the predictor counted the ${sent} decisions: ${answered}`);
    assert.ok(
      (sample(decides, 'looper_decide_duration_seconds_count', { blueprint: name, service: 'predictor' }) ?? 0) >= sent,
    );
    const monitored = await (await fetch(`${monitor}/metrics`)).text();
    assert.ok(
      sample(monitored, 'looper_blueprint_feature_psi', { blueprint: name, feature: 'hour', service: 'monitor' }) !==
        null,
    );
    assert.match(monitored, /^# TYPE looper_blueprint_decisions_per_second gauge$/m);
  });

  it('dashboard - a headless Chromium shows the blueprint with live numbers that change, and a screenshot is saved', async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: run deploy/local/ensure-chromium.sh (CI does), or set LOOPER_CHROMIUM`,
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${addresses.get('monitor')}/#bp=${name}`);
    const decisions = page.locator('[data-metric="requestRate"]');
    await decisions.waitFor();
    const first = {
      updated: await page.getAttribute('body', 'data-updated'),
      rate: await decisions.getAttribute('data-value'),
    };
    await send(600, normal);
    const later = await pollUntil('the page to show new numbers', 30_000, async () => {
      const now = {
        updated: await page.getAttribute('body', 'data-updated'),
        rate: await decisions.getAttribute('data-value'),
      };
      return now.updated !== first.updated && now.rate !== first.rate ? now : undefined;
    });
    console.log(`# requests/s on the page: ${first.rate} → ${later.rate}`);
    assert.ok(Number(later.rate) > 0);
    assert.equal(await page.locator('[data-chart="drift"] canvas').count(), 1, 'the drift chart is drawn');
    assert.ok(
      (await page.locator('[data-alert-rule="feature_drift"]').count()) >= 1,
      'the drift episode is in the alert list',
    );
    const screenshot = join(tmpdir(), `looper-dashboard-${name}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`# screenshot: ${screenshot}`);
    assert.ok(statSync(screenshot).size > 20_000);
    assert.deepEqual(errors, []);
  });
});
