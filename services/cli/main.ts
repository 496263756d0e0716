// The `looper` command line. The only place the CLI reads process.env.
import { homedir } from 'node:os';
import { Command } from 'commander';
import { compileConfig, type LooperConfig } from '../lib/config.js';
import { ensureSecuredStack, securedStackEnv } from '../../deploy/local/secure.js';
import type { GetConfig } from './get-config.js';
import { describeFailure } from './failure.js';
import { registerStackCommands } from './stack-commands.js';
import { registerTopologyCommands } from './topology-commands.js';
import { registerBlueprintCommands } from './blueprint-commands.js';
import { registerUpCommand } from './up-command.js';
import { registerBenchCommand } from './bench-command.js';
import { registerAutomlCommands } from './automl-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerExperimentCommands } from './experiment-command.js';
import { registerEvaluateCommand } from './evaluate-command.js';
import { registerDecideCommands } from './decide-commands.js';
import { registerVersionCommand } from './version-command.js';
import { registerEventsCommands } from './events-command.js';

const program = new Command('looper')
  .description('Looper: declare a blueprint, get real-time decisions that learn from outcomes.')
  .showHelpAfterError();
registerVersionCommand(program);

let config: LooperConfig | undefined;
/**
 * Configuration is validated once, when a command first needs it. While the local stack runs
 * secured (`looper stack up --secure`), its client settings are added to the environment for every
 * one not set: this command and the services it starts reach the secured broker and registry.
 * `secureStack` makes them first (a command's --secure).
 */
const getConfig: GetConfig = (options = {}) => {
  if (config !== undefined && options.secureStack !== true) return config;
  const dataDir = compileConfig(process.env, homedir()).dataDir;
  const secured = options.secureStack === true ? ensureSecuredStack(dataDir).clientEnv : securedStackEnv(dataDir);
  for (const [key, value] of Object.entries(secured ?? {})) process.env[key] ??= value;
  return (config = compileConfig(process.env, homedir()));
};

registerUpCommand(program, getConfig);
registerStackCommands(program, getConfig);
registerTopologyCommands(program, getConfig);
registerBlueprintCommands(program, getConfig);
registerBenchCommand(program, getConfig);
registerAutomlCommands(program, getConfig);
registerStatusCommand(program, getConfig);
registerExperimentCommands(program, getConfig);
registerEvaluateCommand(program, getConfig);
registerDecideCommands(program, getConfig);
registerEventsCommands(program, getConfig);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`looper: ${describeFailure(error, config)}`);
  if (process.env['LOOPER_DEBUG']) console.error(error);
  process.exitCode = 1;
}
