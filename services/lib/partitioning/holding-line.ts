// The line a stateful service (features, joiner) logs once it holds an assignment, its state
// restored. Operators read it, and the scale-out test and the bench wait on it: it is written and
// read here only.
import type { RestoreReport } from '../store/changelog-restore.js';

export function holdingLine(partitions: readonly number[], restored: RestoreReport): string {
  return `holding partitions ${partitions.join(', ') || 'none'}; restored ${restored.keys} keys from ${restored.records} changelog records in ${restored.ms} ms`;
}

/**
 * The partitions a holding line of `service` names, as a supervisor prints it (`[features] holding
 * partitions 0, 3; …`); null for any other line.
 */
export function heldPartitionsIn(line: string, service: string): number[] | null {
  const prefix = `[${service}] holding partitions `;
  if (!line.startsWith(prefix)) return null;
  const list = line.slice(prefix.length, line.indexOf(';', prefix.length));
  return list === 'none' ? [] : list.split(', ').map(Number);
}
