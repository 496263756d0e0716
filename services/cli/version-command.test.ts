import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { packageVersion, registerVersionCommand } from './version-command.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const declared = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version;

/** `looper ...args` as a user runs it, in a child process: its exit code and its output. */
function looper(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/looper.js', ...args], { cwd: root, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('looper --version', () => {
  it('looper --version - is the version package.json declares', () => {
    assert.match(declared, /^\d+\.\d+\.\d+/);
    assert.equal(packageVersion(), declared);
  });

  it("looper --version - after a subcommand, --version is that command's own option", () => {
    const program = new Command('looper').exitOverride();
    registerVersionCommand(program);
    let asked: unknown;
    program
      .command('show <name>')
      .option('--version <n>', 'a specific version')
      .action((_name: string, options: { version?: string }) => void (asked = options.version));
    program.parse(['show', 'notification_send', '--version', '1'], { from: 'user' });
    assert.equal(asked, '1');
  });

  it('looper --version - prints the version alone and exits 0, as does -V', () => {
    for (const flag of ['--version', '-V']) {
      const run = looper([flag]);
      assert.deepEqual(run, { code: 0, stdout: `${declared}\n`, stderr: '' }, flag);
    }
  });
});
