// Runs the looper command as a user would, in a child process, with this process's environment.
import { spawn } from 'node:child_process';
import { LooperClient, type DecideOptions } from '../../services/sdk/index.js';
import { pollUntil } from '../../services/lib/poll.js';
import { testConfig } from './stack.js';
import type { LooperConfig } from '../../services/lib/config.js';

/** The exit code and the interleaved stdout and stderr of `looper ...args`. */
export function looper(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/looper.js', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Waits until the predictor answers decide requests for `blueprint` (it may still be starting). */
export async function waitForPredictor(
  blueprint: string,
  context: Record<string, unknown>,
  timeoutMs = 120_000,
  options: DecideOptions = {},
  config: LooperConfig = testConfig,
): Promise<void> {
  const probe = await LooperClient.connect({ ...config, deadlineMs: 200 });
  try {
    await pollUntil(`the predictor to serve ${blueprint}`, timeoutMs, async () => {
      const reply = await probe.decide(blueprint, 'user-0001', context, options).catch(() => undefined);
      return reply?.decisionId ? reply : undefined;
    });
  } finally {
    await probe.close();
  }
}
