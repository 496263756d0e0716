import type { Command } from 'commander';
import type { GetConfig } from './get-config.js';
import { spanText } from '../lib/duration-text.js';
import { formatStatus, stackDown, stackLogs, stackStatus, stackUp } from '../../deploy/local/stack.js';

export function registerStackCommands(program: Command, getConfig: GetConfig): void {
  const stack = program.command('stack').description('the local Kafka, schema registry and NATS');

  stack
    .command('up')
    .description('start what is not running yet (downloads jars on first use)')
    .option(
      '--secure',
      'Kafka with SASL_SSL only (SCRAM-SHA-512 over TLS) and the registry with basic auth; certificates and passwords are made under the data folder',
    )
    .action(async (options: { secure?: boolean }) => {
      const started = Date.now();
      const secure = options.secure === true;
      const statuses = await stackUp(getConfig({ secureStack: secure }), (line) => console.log(line), { secure });
      console.log(`\n${formatStatus(statuses)}\n\nstack up in ${spanText(Date.now() - started)}`);
    });

  stack
    .command('down')
    .description('stop what `looper stack up` started (other servers are left running)')
    .action(async () => {
      await stackDown(getConfig(), (line) => console.log(line));
    });

  stack
    .command('status')
    .description('health of each component')
    .action(async () => {
      const statuses = await stackStatus(getConfig());
      console.log(formatStatus(statuses));
      if (statuses.some((s) => !s.healthy)) process.exitCode = 3;
    });

  stack
    .command('logs [component]')
    .description('show component logs (nats, kafka, schema-registry)')
    .option('-n, --lines <n>', 'lines from the end', '50')
    .option('-f, --follow', 'keep streaming')
    .action(async (component: string | undefined, options: { lines: string; follow?: boolean }) => {
      await stackLogs(getConfig(), component, Number(options.lines), options.follow === true, (line) =>
        console.log(line),
      );
    });
}
