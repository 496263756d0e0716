// Integration tests run against the real local stack; they bring it up themselves when it is not
// running (idempotent), so `npm test` works on its own as well as under .ci/run.
import { homedir } from 'node:os';
import { compileConfig, type LooperConfig } from '../../services/lib/config.js';
import { stackUp } from '../../deploy/local/stack.js';

export const testConfig: LooperConfig = compileConfig(process.env, homedir());

let ready: Promise<unknown> | undefined;

export function ensureStack(): Promise<unknown> {
  ready ??= stackUp(testConfig, (line) => console.log(`# ${line}`));
  return ready;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}
