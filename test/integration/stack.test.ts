import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNats } from '../../deploy/local/nats.js';
import { stackDown, stackStatus, stackUp } from '../../deploy/local/stack.js';
import { ensureStack, testConfig } from '../support/stack.js';

const run = promisify(execFile);

async function looper(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['bin/looper.js', ...args], { env: process.env });
    return { stdout, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; code: number };
    return { stdout: failed.stdout, code: failed.code };
  }
}

describe('looper stack', () => {
  before(() => ensureStack());

  it('stack - status reports every component healthy through the CLI', async () => {
    const { stdout, code } = await looper('stack', 'status');
    assert.equal(code, 0, stdout);
    for (const name of ['nats', 'kafka', 'schema-registry'])
      assert.match(stdout, new RegExp(`^${name}\\s+healthy`, 'm'));
  });

  it('stack - up on a running stack is a no-op', async () => {
    const before = await stackStatus(testConfig);
    const lines: string[] = [];
    await stackUp(testConfig, (line) => lines.push(line));
    assert.deepEqual(lines.map((l) => l.replace(/ at .*/, '')).sort(), [
      'kafka: already running',
      'nats: already running',
      'schema-registry: already running',
    ]);
    assert.deepEqual(
      (await stackStatus(testConfig)).map((s) => s.managedPid),
      before.map((s) => s.managedPid),
    );
  });

  it('stack - down stops only what up started, and up brings it back', async () => {
    const before = await stackStatus(testConfig);
    const lines: string[] = [];
    await stackDown(testConfig, (line) => lines.push(line));
    const after = await stackStatus(testConfig);
    for (const [i, status] of before.entries()) {
      if (status.managedPid !== null) {
        assert.ok(lines.includes(`${status.name}: stopped`), lines.join('\n'));
        assert.equal(after[i]!.healthy, false, `${status.name} is down after down`);
      } else {
        assert.ok(lines.includes(`${status.name}: not started by looper, left as it is`), lines.join('\n'));
        assert.equal(after[i]!.healthy, true, `${status.name}, not ours, still runs`);
      }
    }
    const started = Date.now();
    const restarted = await stackUp(testConfig, () => undefined);
    console.log(`# warm stack up after down: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(
      restarted.map((s) => [s.name, s.healthy]),
      [
        ['nats', true],
        ['kafka', true],
        ['schema-registry', true],
      ],
    );
  });

  it('stack - starts its own nats-server -js when nothing answers at LOOPER_NATS_URL, and stops it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'looper-nats-'));
    const nats = createNats({ ...testConfig, natsUrl: 'nats://127.0.0.1:14222', dataDir });
    try {
      assert.equal(await nats.healthy(), false);
      await nats.start(() => undefined);
      assert.equal(await nats.healthy(), true);
      assert.notEqual(nats.managedPid(), null);
      assert.equal(await nats.stop(), true);
      assert.equal(await nats.healthy(), false);
    } finally {
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
