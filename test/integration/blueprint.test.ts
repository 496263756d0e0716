import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createKafkaClient, readTopicToEnd } from '../../services/lib/kafka.js';
import { createSchemaRegistryClient, decodeRecord, registerSchema } from '../../services/lib/schema-registry.js';
import {
  findVersion,
  readBlueprintHistory,
  registerBlueprint,
  type BlueprintStore,
} from '../../services/lib/blueprint-store.js';
import { parseBlueprintYaml } from '../../services/lib/blueprint/parse.js';
import { LooperError, SchemaRegistryError } from '../../services/lib/errors.js';
import { avroSchemas, type Blueprint } from '../../services/lib/schemas/generated.js';
import { topics } from '../../topology/topics.js';
import { ensureStack, testConfig, uniqueName } from '../support/stack.js';

const run = promisify(execFile);
const exampleYaml = readFileSync('examples/notification_send.yaml', 'utf8');

function compileExampleAs(name: string, edit: (yaml: string) => string = (y) => y): Blueprint {
  const yaml = edit(exampleYaml).replace(/^blueprint: notification_send\b/m, `blueprint: ${name}`);
  const result = parseBlueprintYaml(yaml);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.blueprint;
}

describe('blueprints on the real stack', () => {
  let store: BlueprintStore;
  const name = uniqueName('test_bp');

  before(async () => {
    await ensureStack();
    store = {
      kafka: createKafkaClient(testConfig, { clientId: 'looper-test' }),
      registry: createSchemaRegistryClient(testConfig),
    };
  });

  it('blueprint - register, read back from the topic and decode through the registry equals the input', async () => {
    const compiled = compileExampleAs(name);
    const { blueprint, status } = await registerBlueprint(store, compiled, 1_700_000_000_000);
    assert.equal(status, 'registered');
    assert.deepEqual(blueprint, { ...compiled, version: 1, registeredAt: 1_700_000_000_000 });

    const records = await readTopicToEnd(store.kafka, topics.blueprints.name);
    const mine = records.filter((r) => r.message.key?.toString() === name);
    assert.equal(mine.length, 1);
    const raw = mine[0]!.message.value!;
    assert.equal(raw[0], 0, 'Confluent wire format starts with magic byte 0');
    const decoded = await decodeRecord<Blueprint>(store.registry, raw);
    assert.deepEqual(decoded, blueprint);
  });

  it('blueprint - registering the same meaning again keeps the version; a change makes the next one', async () => {
    const again = await registerBlueprint(
      store,
      compileExampleAs(name, (y) => `# a comment only\n${y}`),
    );
    assert.equal(again.status, 'unchanged');
    assert.equal(again.blueprint.version, 1);

    const changed = await registerBlueprint(
      store,
      compileExampleAs(name, (y) => y.replace(/threshold: 0\.3\b/, 'threshold: 0.4')),
    );
    assert.equal(changed.status, 'registered');
    assert.equal(changed.blueprint.version, 2);
    const history = await readBlueprintHistory(store);
    assert.equal(findVersion(history, name, 1).decision.threshold, 0.3);
    assert.equal(findVersion(history, name).decision.threshold, 0.4);
  });

  it('blueprint - ten registrations of one blueprint at once each get their own version or a retriable conflict', async () => {
    const racing = uniqueName('race_bp');
    const thresholds = Array.from({ length: 10 }, (_, i) => 0.31 + i / 100);
    const results = await Promise.allSettled(
      thresholds.map((t) =>
        registerBlueprint(
          store,
          compileExampleAs(racing, (y) => y.replace(/^ {2}threshold: 0\.3\b/m, `  threshold: ${t.toFixed(2)}`)),
        ),
      ),
    );
    const registered = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.blueprint] : []));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const versions = registered.map((b) => b.version);
    console.log(
      `# ten registrations at once: ${registered.length} registered (versions ${versions.join(', ')}), ${failures.length} failed as conflict`,
    );
    assert.equal(new Set(versions).size, versions.length, `distinct versions: ${versions.join(', ')}`);
    for (const failure of failures) {
      assert.ok(failure instanceof LooperError, String(failure));
      assert.equal(failure.code, 'conflict', failure.message);
      assert.equal(failure.retriable, true);
      assert.match(
        failure.message,
        new RegExp(`^blueprint "${racing}": \\d+ registrations in a row lost version \\d+`),
      );
    }
    const history = (await readBlueprintHistory(store)).filter((b) => b.name === racing);
    assert.deepEqual(
      history.map((b) => [b.version, b.decision.threshold]),
      registered.map((b) => [b.version, b.decision.threshold]).sort((a, b) => a[0]! - b[0]!),
      'the history holds each version once, with what its registration wrote',
    );
    assert.deepEqual(
      versions.sort((a, b) => a - b),
      registered.map((_, i) => i + 1),
      'the versions are 1 to n',
    );
    const live = (await readTopicToEnd(store.kafka, topics.blueprints.name)).filter(
      (r) => r.message.key?.toString() === racing,
    );
    const newest = await decodeRecord<Blueprint>(store.registry, live.at(-1)!.message.value!);
    assert.equal(newest.version, registered.length, 'the last live record is the newest version');
  });

  it('blueprint - the CLI lists, shows and diffs registered versions', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['bin/looper.js', 'blueprint', ...args]).then((r) => r.stdout);
    assert.match(await cli('list'), new RegExp(`^${name}\\s+2\\s+classification`, 'm'));
    const shown = await cli('show', name, '--version', '1');
    assert.match(shown, new RegExp(`^# ${name} version 1`));
    assert.match(shown, /threshold: 0\.3\b/);
    const diff = await cli('diff', name, '1', '2');
    assert.match(diff, /^-\s+threshold: 0\.3$/m);
    assert.match(diff, /^\+\s+threshold: 0\.4$/m);
  });

  it('blueprint - the CLI reports every problem of an invalid blueprint and exits 1', async () => {
    const failed = await run(process.execPath, [
      'bin/looper.js',
      'blueprint',
      'validate',
      'examples/invalid_blueprint.yaml',
    ]).then(
      () => assert.fail('validate should exit non-zero'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(failed.code, 1);
    const result = parseBlueprintYaml(readFileSync('examples/invalid_blueprint.yaml', 'utf8'));
    assert.ok(!result.ok);
    assert.ok(result.problems.length >= 5, 'the invalid example has several mistakes');
    for (const problem of result.problems)
      assert.ok(failed.stdout.includes(`${problem.path}: ${problem.message}`), `missing ${problem.path}`);
  });

  it('blueprint - an incompatible schema evolution is refused with the registry reason', async () => {
    const subject = `${uniqueName('looper.test.evolution')}-value`;
    const v1 = avroSchemas.Blueprint.schema as { fields: object[] };
    await registerSchema(store.registry, subject, v1);
    const incompatible = {
      ...v1,
      fields: [...v1.fields, { name: 'owner', type: 'string', doc: 'added without a default' }],
    };
    await assert.rejects(registerSchema(store.registry, subject, incompatible), (error: unknown) => {
      assert.ok(error instanceof SchemaRegistryError);
      assert.equal(error.subject, subject);
      assert.match(error.message, /incompatible|compatib/i);
      return true;
    });
    const compatible = {
      ...v1,
      fields: [...v1.fields, { name: 'owner', type: ['null', 'string'], default: null, doc: 'added with a default' }],
    };
    assert.equal((await registerSchema(store.registry, subject, compatible)).isNew, true);
  });
});
