// apprentice: the model learns beside the caller's own decisions and takes over when it agrees
// with them often enough.
import type { BlueprintApprentice } from '../schemas/generated.js';
import type { Reader } from './reader.js';

const APPRENTICE_KEYS = ['take_over_at', 'min_decisions'] as const;

export const APPRENTICE_DEFAULTS = { takeOverAt: 0.9, minDecisions: 1000 } as const;

/** null when the blueprint has no apprentice section; undefined when the section has problems (reported). */
export function compileApprentice(r: Reader, value: unknown, path: string): BlueprintApprentice | null | undefined {
  if (value === undefined) return null;
  const m = r.mapping(value, path, APPRENTICE_KEYS, 'apprentice');
  if (m === undefined) return undefined;
  const f = r.fields(m, path);
  const takeOverAt = f.share('take_over_at') ?? APPRENTICE_DEFAULTS.takeOverAt;
  const minDecisions =
    f.number('min_decisions', { min: 1, integer: true, example: '1000' }) ?? APPRENTICE_DEFAULTS.minDecisions;
  return { takeOverAt, minDecisions };
}
