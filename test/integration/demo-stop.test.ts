// Ctrl-C in `npm start` (#22): the terminal sends SIGINT to every process of the group, and
// `looper up` then sends the demo SIGTERM. The demo process, on the real stack with a predictor
// answering it, must stop once and exit 0 without a stack trace, its outcomes in flight included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { registerBlueprint } from '../../services/lib/blueprint-store.js';
import { pollUntil } from '../../services/lib/poll.js';
import { superviseServices, type Supervisor } from '../../services/lib/supervisor.js';
import { connectTestClients, type TestClients } from '../support/clients.js';
import { waitForPredictor } from '../support/cli.js';
import { loopBlueprint } from '../support/loop.js';
import { uniqueName } from '../support/stack.js';

describe('the demo stopping on the real stack', { timeout: 240_000 }, () => {
  const name = uniqueName('demo_stop');
  let clients: TestClients;
  let supervisor: Supervisor | undefined;

  before(async () => {
    clients = await connectTestClients();
    await registerBlueprint({ kafka: clients.kafka, registry: clients.registry }, loopBlueprint(name));
    supervisor = superviseServices(['predictor'], {
      env: { ...process.env, LOOPER_OPS_PORT: '0' },
      log: () => undefined,
    });
    await waitForPredictor(name, { hour: 9, platform: 'ios' });
  });

  after(async () => {
    await supervisor?.stop();
    await clients?.close();
  });

  for (const round of [1, 2, 3]) {
    it(`demo - SIGINT then SIGTERM while deciding ends it with code 0 and no stack trace (run ${round})`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/demo-process.ts', name], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      // 500 decisions answered: 5 s at 100 a second, with outcomes being reported (sent ones, 1.5 s later).
      await pollUntil('the demo to have 500 decisions answered', 120_000, async () =>
        /answered 500\b/.test(stdout) ? true : child.exitCode !== null ? assert.fail(stdout + stderr) : undefined,
      );
      child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGTERM');
      child.kill('SIGINT');
      const [code, signal] = await exited;
      const answered = [...stdout.matchAll(/answered (\d+)/g)].at(-1)?.[1];
      console.log(`# run ${round}: ${answered} decisions answered before the signals; exit code ${code}`);
      const output = stdout + stderr;
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, output);
      assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
      assert.doesNotMatch(output, /NatsError|CONNECTION_DRAINING|Unhandled|Error:/);
      assert.match(stdout, /\[demo\] SIGINT: stopping\n\[demo\] stopped\n$/);
    });
  }
});
