import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
import { createKafkaClient } from '../lib/kafka.js';
import { createSchemaRegistryClient } from '../lib/schema-registry.js';
import { registerBlueprint } from '../lib/blueprint-store.js';
import { formatStatus, stackUp } from '../../deploy/local/stack.js';
import { formatApplyReport, runTopologyApply } from './topology-commands.js';
import { compileBlueprintFile } from './blueprint-commands.js';

export const demoBlueprintFile = fileURLToPath(new URL('../../examples/notification_send.yaml', import.meta.url));

export function registerUpCommand(program: Command, getConfig: () => LooperConfig): void {
  program
    .command('up')
    .description('start the whole platform: the stack, the topology and (with --demo) the example blueprint')
    .option('--demo', 'register the example blueprint examples/notification_send.yaml')
    .action(async (options: { demo?: boolean }) => {
      const config = getConfig();
      const started = Date.now();
      const statuses = await stackUp(config, (line) => console.log(line));
      console.log(`\n${formatStatus(statuses)}\n`);
      console.log(formatApplyReport(await runTopologyApply(config)));
      if (options.demo) {
        const store = { kafka: createKafkaClient(config, { clientId: 'looper-cli' }), registry: createSchemaRegistryClient(config) };
        const { blueprint, status } = await registerBlueprint(store, compileBlueprintFile(demoBlueprintFile));
        console.log(`demo blueprint ${blueprint.name}: ${status === 'registered' ? 'registered as' : 'already at'} version ${blueprint.version}`);
      }
      console.log(`\nLooper is up in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: npx looper blueprint list · npx looper stack status · npx looper stack down`);
    });
}
