import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
export function registerTopologyCommands(_program: Command, _getConfig: () => LooperConfig): void {}
