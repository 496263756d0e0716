// Outcomes over NATS on the real stack: the predictor answers looper.outcome and
// looper.outcome.batch, acknowledging an outcome only once it is on looper.outcomes (read back
// here and decoded with the topic codec) and refusing a malformed one with its code; the SDK
// reports over NATS by default and to Kafka when asked; `looper decide` and `looper outcome` try
// a decision from the shell.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { NatsConnection } from 'nats';
import { readTopicToEnd } from '../../services/lib/kafka.js';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { connectNats } from '../../services/lib/nats-connect.js';
import { subjects } from '../../services/lib/names.js';
import type { DecideReply } from '../../services/lib/decide/reply.js';
import type { OutcomeBatchReply, OutcomeReply } from '../../services/lib/outcome/reply.js';
import type { Outcome } from '../../services/lib/schemas/generated.js';
import { LooperClient, OutcomeError } from '../../services/sdk/index.js';
import { topics } from '../../topology/topics.js';
import { testConfig, uniqueName } from '../support/stack.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { startSharedServices, type SharedServices } from '../support/services.js';
import { looper, waitForPredictor } from '../support/cli.js';
import { exportedSeries } from '../../deploy/grafana/dashboard-metrics.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const run = promisify(execFile);
const sdkDir = fileURLToPath(new URL('../../services/sdk/', import.meta.url));
const repoDir = fileURLToPath(new URL('../../', import.meta.url));

/** A product's script using the installed SDK: one decision, its outcome, the decision id printed. */
const productScript = (load: string, blueprint: string, entity: string) => `${load}
const looper = await LooperClient.connect({ deadlineMs: 500 });
const d = await looper.decide(${JSON.stringify(blueprint)}, ${JSON.stringify(entity)}, { hour: 9 });
await looper.outcome(d.decisionId, 1);
await looper.close();
console.log(JSON.stringify({ decisionId: d.decisionId, action: d.action }));
`;

/** A product in strict TypeScript: a decision answered by the SDK itself has no id to report an outcome of. */
const typedProduct = `import { LooperClient, type Decision, type DecideOptions } from '@looper/sdk';
const looper: LooperClient = await LooperClient.connect({ deadlineMs: 500 });
const options: DecideOptions = { deadlineMs: 200 };
const d: Decision = await looper.decide('notification_send', 'user-1', { hour: 9 }, options);
if (d.decisionId !== null) await looper.outcome(d.decisionId, 1);
const action: string = d.action;
await looper.close();
console.log(action, d.fallback);
`;
/** The same, wrong twice: an entity that is not a string, and an id that may be null. */
const typedMisuse = `import { LooperClient } from '@looper/sdk';
const looper = await LooperClient.connect();
const d = await looper.decide('notification_send', 42, {});
await looper.outcome(d.decisionId, 1);
`;

describe('outcomes over NATS on the real stack', { timeout: 240_000 }, () => {
  const name = uniqueName('outcomes_nats');
  let clients: TestClients;
  let services: SharedServices | undefined;
  let nats: NatsConnection;
  /** When this file started writing outcomes: looper.outcomes is read from here on. */
  let since: number;

  const request = async <T>(subject: string, body: unknown): Promise<T> => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const msg = await nats.request(subject, encoder.encode(text), { timeout: 10_000 });
    return JSON.parse(decoder.decode(msg.data)) as T;
  };

  /** A real decision's id (a fallback: no model serves this blueprint). */
  const decide = async (entity: string): Promise<string> => {
    const reply = await request<DecideReply>(subjects.decide(name), { entity, context: { hour: 9 } });
    assert.match(reply.decisionId, /^[0-9a-f-]{36}$/, JSON.stringify(reply));
    return reply.decisionId;
  };

  /** The outcomes on looper.outcomes since the file started, by decision id, with each record's key. */
  const outcomesWritten = async (): Promise<Map<string, Array<Outcome & { key: string }>>> => {
    const found = new Map<string, Array<Outcome & { key: string }>>();
    for (const { message } of await readTopicToEnd(clients.kafka, topics.outcomes.name, 60_000, since)) {
      if (!message.value) continue;
      const outcome = await clients.codec.decode<Outcome>(topics.outcomes, message.value);
      found.set(outcome.decisionId, [
        ...(found.get(outcome.decisionId) ?? []),
        { ...outcome, key: message.key?.toString() ?? '' },
      ]);
    }
    return found;
  };

  before(async () => {
    clients = await connectTestClients();
    const bp = parseBlueprintYaml(`
blueprint: ${name}
task: classification
entity: user
features:
  context: [{ name: hour, type: int }]
label: { window: 30s }
# argmax: no exploration, so every decision before a model is the default (skip)
decision: { policy: argmax, actions: [send, skip], default: skip, deadline: 1s }
`);
    assert.ok(bp.ok, bp.ok ? '' : JSON.stringify(bp.problems));
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, bp.blueprint);
    services = startSharedServices(['predictor'], 'outcomes-nats');
    await services.ready('predictor');
    await waitForPredictor(name, { hour: 9 });
    nats = await connectNats(testConfig, 'looper-test-outcomes');
    // Record timestamps are the producer's clock, this machine's: a second's margin.
    since = Date.now() - 1000;
  });

  after(async () => {
    await nats?.drain();
    await services?.stop();
    await clients?.close();
  });

  it('outcomes over NATS - an outcome is acknowledged once it is on looper.outcomes, keyed by its decision id; a malformed one is refused with its code', async () => {
    const id = await decide('user-0001');
    const ts = Date.now();
    assert.deepEqual(await request<OutcomeReply>(subjects.outcome, { decisionId: id, value: 1, ts }), { ok: true });

    assert.deepEqual(await request<OutcomeReply>(subjects.outcome, { decisionId: 'order-17', value: 1 }), {
      ok: false,
      error: {
        code: 'bad_request',
        message:
          'decisionId "order-17" is not a decision id: decide replies carry a lowercase UUID such as "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"; send it unchanged',
      },
    });
    const refusedId = randomUUID();
    assert.deepEqual(await request<OutcomeReply>(subjects.outcome, `{"decisionId": "${refusedId}", "value": 1e999}`), {
      ok: false,
      error: { code: 'bad_value', message: 'value Infinity is not a finite number' },
    });
    const notJson = await request<OutcomeReply>(subjects.outcome, 'clicked');
    assert.equal(notJson.ok ? 'ok' : notJson.error.code, 'bad_request');

    const written = await outcomesWritten();
    assert.deepEqual(written.get(id), [{ decisionId: id, value: 1, ts, candidateId: null, key: id }]);
    assert.equal(written.get(refusedId), undefined, 'a refused outcome is never written');
  });

  it('outcomes over NATS - a batch writes its good outcomes and refuses the bad one by its index', async () => {
    const [first, second] = [await decide('user-0002'), await decide('user-0003')];
    const refusedId = randomUUID();
    const reply = await request<OutcomeBatchReply>(subjects.outcomeBatch, {
      outcomes: [
        { decisionId: first, value: 1, ts: 1_700_000_000_000 },
        { decisionId: refusedId, value: 'clicked' },
        { decisionId: second, value: 0.25, ts: 1_700_000_000_001, candidateId: 'item-9' },
      ],
    });
    assert.deepEqual(reply, {
      ok: false,
      acknowledged: 2,
      refused: 1,
      results: [
        { index: 0, ok: true },
        { index: 1, ok: false, error: { code: 'bad_value', message: 'value must be a number, not "clicked"' } },
        { index: 2, ok: true },
      ],
    });
    const written = await outcomesWritten();
    assert.deepEqual(written.get(first), [
      { decisionId: first, value: 1, ts: 1_700_000_000_000, candidateId: null, key: first },
    ]);
    assert.deepEqual(written.get(second), [
      { decisionId: second, value: 0.25, ts: 1_700_000_000_001, candidateId: 'item-9', key: second },
    ]);
    assert.equal(written.get(refusedId), undefined);
  });

  it('outcomes over NATS - the SDK reports over NATS by default, in batches, and straight to Kafka when asked', async () => {
    const client = await LooperClient.connect({ ...testConfig, deadlineMs: 1000 });
    try {
      const decision = await client.decide(name, 'user-0004', { hour: 9 });
      const other = await client.decide(name, 'user-0005', { hour: 9 });
      const batched = await client.decide(name, 'user-0008', { hour: 9 });
      assert.ok(decision.decisionId && other.decisionId && batched.decisionId);
      await client.outcome(decision.decisionId, 3, { ts: 1_700_000_000_002 });
      await client.outcome(other.decisionId, 4, { ts: 1_700_000_000_003, via: 'kafka' });
      await assert.rejects(client.outcome('order-17', 1), (error: unknown) => {
        assert.ok(error instanceof OutcomeError);
        assert.equal(error.code, 'bad_request');
        assert.match(error.message, /^outcome of order-17: decisionId "order-17" is not a decision id/);
        return true;
      });
      const results = await client.outcomes([
        { decisionId: 'order-17', value: 1 },
        { decisionId: batched.decisionId, value: 5, ts: 1_700_000_000_004 },
      ]);
      assert.deepEqual(
        results.map((r) => (r.ok ? `${r.index} ok` : `${r.index} ${r.error.code}`)),
        ['0 bad_request', '1 ok'],
      );
      const written = await outcomesWritten();
      const expected = (id: string, value: number, ts: number) => [
        { decisionId: id, value, ts, candidateId: null, key: id },
      ];
      assert.deepEqual(written.get(decision.decisionId), expected(decision.decisionId, 3, 1_700_000_000_002));
      assert.deepEqual(written.get(other.decisionId), expected(other.decisionId, 4, 1_700_000_000_003));
      assert.deepEqual(written.get(batched.decisionId), expected(batched.decisionId, 5, 1_700_000_000_004));
    } finally {
      await client.close();
    }
  });

  it('outcomes over NATS - the SDK packed with npm pack installs into an empty project; plain JavaScript, ESM and CommonJS, decides and reports with it, and strict TypeScript type-checks against it', async () => {
    const app = mkdtempSync(join(tmpdir(), 'looper-sdk-app-'));
    try {
      await run('npm', ['pack', '--pack-destination', app], { cwd: sdkDir });
      const tarball = readdirSync(app).find((f) => f.endsWith('.tgz'))!;
      await run('npm', ['init', '-y'], { cwd: app });
      // The SDK's own dependencies (nats, kafkajs, ...) come from npm's cache, filled by the repository's npm ci.
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(app, tarball)], { cwd: app });
      writeFileSync(
        join(app, 'esm.mjs'),
        productScript("import { LooperClient } from '@looper/sdk';", name, 'user-sdk-esm'),
      );
      // CommonJS has no top-level await: the same lines in an async function.
      writeFileSync(
        join(app, 'cjs.cjs'),
        `(async () => {${productScript("const { LooperClient } = require('@looper/sdk');", name, 'user-sdk-cjs')}})();`,
      );
      const env = { ...process.env, LOOPER_NATS_URL: testConfig.natsUrl };
      const ids: string[] = [];
      for (const script of ['esm.mjs', 'cjs.cjs']) {
        const { stdout } = await run(process.execPath, [script], { cwd: app, env });
        const printed = JSON.parse(stdout.trim()) as { decisionId: string; action: string };
        assert.match(printed.decisionId, /^[0-9a-f-]{36}$/, `${script}: ${stdout}`);
        assert.equal(printed.action, 'skip', `${script}: the blueprint's default, no model serves it`);
        ids.push(printed.decisionId);
      }
      const written = await outcomesWritten();
      for (const id of ids)
        assert.deepEqual(
          written.get(id)?.map((o) => [o.value, o.key]),
          [[1, id]],
          `the outcome of ${id} is on looper.outcomes once`,
        );

      // A TypeScript product, strict, type-checked against the package's own declarations: the
      // right use compiles, and a wrong one is refused where it is wrong (the types are not any).
      writeFileSync(join(app, 'product.mts'), typedProduct);
      writeFileSync(join(app, 'misuse.mts'), typedMisuse);
      const tsc = async (file: string) =>
        run(
          join(repoDir, 'node_modules', '.bin', 'tsc'),
          [
            ...['--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022'],
            ...['--module', 'nodenext', '--moduleResolution', 'nodenext'],
            ...['--types', 'node', '--typeRoots', join(repoDir, 'node_modules', '@types'), file],
          ],
          { cwd: app },
        ).then(
          () => '',
          (error: { stdout?: string }) => error.stdout ?? String(error),
        );
      assert.equal(await tsc('product.mts'), '', 'the typed product compiles');
      const refused = await tsc('misuse.mts');
      assert.match(
        refused,
        /misuse\.mts\(3,.*error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/,
      );
      assert.match(
        refused,
        /misuse\.mts\(4,.*error TS2345: Argument of type 'string \| null' is not assignable to parameter of type 'string'/,
      );
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("outcomes over NATS - the README's tour (tour.ts) publishes an event, decides and reports an outcome", async () => {
    const tour = parseBlueprintYaml(
      readFileSync(new URL('../../examples/notification_send.yaml', import.meta.url), 'utf8'),
    );
    assert.ok(tour.ok, tour.ok ? '' : JSON.stringify(tour.problems));
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, tour.blueprint);
    await waitForPredictor(tour.blueprint.name, { hour: 20, platform: 'ios' });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'tour.ts'], { cwd: repoDir });
    // action, score, then the fallback's reason or the serving model
    assert.match(stdout.trim(), /^(send|skip) \S+ \S+$/, stdout);
  });

  it('outcomes over NATS - looper decide prints a decision and looper outcome reports one; bad input exits non-zero with its code', async () => {
    const decided = await looper(['decide', name, 'user-0006', 'hour=9']);
    assert.equal(decided.code, 0, decided.out);
    assert.match(decided.out, /^action\s+skip$/m, decided.out);
    assert.match(decided.out, new RegExp(`^blueprint\\s+${name} v1$`, 'm'));
    assert.match(decided.out, /^fallback\s+yes: no_model \(no model serves yet\)/m);
    const id = /^decision id\s+([0-9a-f-]{36})$/m.exec(decided.out)?.[1];
    assert.ok(id, decided.out);

    const json = await looper(['decide', name, 'user-0007', '--context', '{"hour": 10}', '--json']);
    assert.equal(json.code, 0, json.out);
    const reply = JSON.parse(json.out) as DecideReply;
    assert.equal(reply.blueprint, name);
    assert.equal(reply.fallbackReason, 'no_model');

    const reported = await looper(['outcome', id, '1']);
    assert.deepEqual(reported, { code: 0, out: `outcome 1 of decision ${id} is on looper.outcomes\n` });

    const unknown = await looper(['decide', `${name}_missing`, 'user-0006']);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.out,
      new RegExp(
        `^looper: decide ${name}_missing: unknown_blueprint: no blueprint "${name}_missing" is registered`,
        'm',
      ),
    );
    const badContext = await looper(['decide', name, 'user-0006', 'hour=nine']);
    assert.equal(badContext.code, 1);
    assert.match(badContext.out, /^looper: decide \w+: bad_context: context.hour: "nine" is not an int$/m);
    const badId = await looper(['outcome', 'order-17', '1']);
    assert.equal(badId.code, 1);
    assert.match(badId.out, /^looper: outcome: decisionId "order-17" is not a decision id/m);

    const written = await outcomesWritten();
    assert.deepEqual(
      written.get(id)?.map((o) => o.value),
      [1],
    );
  });

  it("outcomes over NATS - the predictor's /metrics exports only declared looper series, those the dashboard queries among them", async () => {
    const page = await (await fetch(`${services!.opsUrl('predictor')}/metrics`)).text();
    const declared = exportedSeries();
    const seen = new Map<string, Set<string>>();
    for (const m of page.matchAll(/^(looper_\w+)(?:\{([^}]*)\})? /gm)) {
      const labels = seen.get(m[1]!) ?? new Set<string>();
      for (const l of (m[2] ?? '').matchAll(/(\w+)="/g)) labels.add(l[1]!);
      seen.set(m[1]!, labels);
    }
    const wrong = [...seen].flatMap(([metric, labels]) => {
      const known = declared.get(metric);
      if (known === undefined) return [`${metric} is not declared`];
      return [...labels].filter((l) => l !== 'service' && !known.has(l)).map((l) => `${metric} has undeclared ${l}`);
    });
    assert.deepEqual(wrong, []);
    for (const metric of ['looper_decide_requests_total', 'looper_decide_duration_seconds_bucket'])
      assert.match(page, new RegExp(`^${metric}\\{[^}]*blueprint="${name}"`, 'm'), `${metric} of ${name}`);
  });
});
