import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
export function registerBlueprintCommands(_program: Command, _getConfig: () => LooperConfig): void {}
