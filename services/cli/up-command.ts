import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { opsPortOf, type LooperConfig } from '../lib/config.js';
import { cliKafka } from './clients.js';
import { spanText } from '../lib/duration-text.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { registerBlueprint } from '../lib/blueprint-store.js';
import { formatStatus, stackDown, stackUp } from '../../deploy/local/stack.js';
import type { GetConfig } from './get-config.js';
import { formatApplyReport, runTopologyApply } from './topology-commands.js';
import { compileBlueprintFile } from './blueprint-commands.js';
import { serviceNames, superviseServices, type ServiceProcessName } from '../lib/supervisor.js';

export const demoBlueprintFile = fileURLToPath(new URL('../../examples/notification_send.yaml', import.meta.url));

export function registerUpCommand(program: Command, getConfig: GetConfig): void {
  program
    .command('up')
    .description(
      'start the whole platform: the stack, the topology, the services and (with --demo) a simulated product; Ctrl-C stops it all',
    )
    .option('--demo', 'register examples/notification_send.yaml and run the simulated product against it')
    .option('--keep-stack', 'leave Kafka, the registry and NATS running on exit')
    .option('--secure', 'bring the stack up secured, as `looper stack up --secure` does')
    .action(async (options: { demo?: boolean; keepStack?: boolean; secure?: boolean }) => {
      const secure = options.secure === true;
      const config = getConfig({ secureStack: secure });
      const started = Date.now();
      const statuses = await stackUp(config, (line) => console.log(line), { secure });
      console.log(`\n${formatStatus(statuses)}\n`);
      console.log(formatApplyReport(await runTopologyApply(config)));
      if (options.demo) {
        const store = { kafka: cliKafka(config), registry: createSchemaRegistryClient(config) };
        const { blueprint, status } = await registerBlueprint(store, compileBlueprintFile(demoBlueprintFile));
        console.log(
          `demo blueprint ${blueprint.name}: ${status === 'registered' ? 'registered as' : 'already at'} version ${blueprint.version}`,
        );
      }
      const names: ServiceProcessName[] = [...serviceNames, ...(options.demo ? (['demo'] as const) : [])];
      const supervisor = superviseServices(names, { log: (line) => console.log(line) });
      console.log(
        `\nLooper is up in ${spanText(Date.now() - started)}: ${names.join(', ')} running. Ctrl-C stops everything.`,
      );
      console.log(`Dashboard: ${dashboardAddress(config)}/ (read-only; live once the monitor has started)\n`);

      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('\nstopping…');
      await supervisor.stop();
      if (!options.keepStack) await stackDown(config, (line) => console.log(line));
      console.log('stopped');
    });
}

/** Where the monitor serves its dashboard; an any-interface host is shown as loopback, which a browser here can open. */
export function dashboardAddress(config: LooperConfig): string {
  const host = config.opsHost === '0.0.0.0' || config.opsHost === '::' ? '127.0.0.1' : config.opsHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${opsPortOf(config, 'monitor')}`;
}
