// `looper --version` (and `-V`): the version of this checkout, read from its package.json so that it
// is declared once.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

/** The `version` field of the repository's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

export function registerVersionCommand(program: Command): void {
  program.version(packageVersion(), '-V, --version', 'print the version of looper (from package.json)');
  // Only before a subcommand: `looper blueprint show NAME --version 1` is that command's own option.
  program.enablePositionalOptions();
}
