import type { Command } from 'commander';
import type { LooperConfig } from '../lib/config.js';
export function registerUpCommand(_program: Command, _getConfig: () => LooperConfig): void {}
