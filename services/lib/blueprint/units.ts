// The units a blueprint is written in: durations (`250ms`, `30s`, `15m`, `2h`, `7d`, `500us`),
// shares (`10%`) and sizes (`256kb`). Each parser returns the canonical number or a failure whose
// message is ready for a BlueprintProblem. Numbers are computed with one division from an exact
// integer mantissa, so `0.1s` is exactly the double 100 and `10%` exactly 0.1.

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

/** Microseconds per duration unit. */
const durationUnitsUs = { us: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 } as const;

/** Bytes per size unit (binary: 1kb = 1024 bytes). */
const sizeUnitsBytes = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

const durationPattern = /^(\d+)(?:\.(\d+))?(us|ms|s|m|h|d)$/;
const sharePattern = /^(\d+)(?:\.(\d+))?%$/;
const sizePattern = /^(\d+)(?:\.(\d+))?(b|kb|mb|gb)$/i;

/** How a value reads in a message: strings quoted, lists and mappings named. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** Splits "12.5" into the integer 125 and the divisor 10. */
function decimal(whole: string, fraction: string | undefined): { mantissa: number; divisor: number } {
  const digits = fraction ?? '';
  return { mantissa: Number(whole + digits), divisor: 10 ** digits.length };
}

function parseDurationIn(text: unknown, unitDivisorUs: number): Parsed {
  const match = typeof text === 'string' ? durationPattern.exec(text) : null;
  if (match === null) return { ok: false, message: `${describe(text)} is not a duration like 1h` };
  const { mantissa, divisor } = decimal(match[1]!, match[2]);
  const unitUs = durationUnitsUs[match[3] as keyof typeof durationUnitsUs];
  return { ok: true, value: (mantissa * unitUs) / (divisor * unitDivisorUs) };
}

/** `'250ms'` → 250, `'2h'` → 7_200_000, `'500us'` → 0.5: a duration in milliseconds. */
export function parseDuration(text: unknown): Parsed {
  return parseDurationIn(text, 1_000);
}

/** `'500us'` → 500, `'1ms'` → 1000: a duration in microseconds. */
export function parseDurationUs(text: unknown): Parsed {
  return parseDurationIn(text, 1);
}

/** `'10%'` → 0.1: a share as a fraction between 0 and 1. */
export function parseShare(text: unknown): Parsed {
  const match = typeof text === 'string' ? sharePattern.exec(text) : null;
  if (match === null) return { ok: false, message: `${describe(text)} is not a share like 10%` };
  const { mantissa, divisor } = decimal(match[1]!, match[2]);
  const value = mantissa / (divisor * 100);
  if (value > 1) return { ok: false, message: `${describe(text)} is more than 100%` };
  return { ok: true, value };
}

/** `'256kb'` → 262_144, `'1mb'` → 1_048_576, `'512b'` → 512: a size in whole bytes (units are binary). */
export function parseSize(text: unknown): Parsed {
  const match = typeof text === 'string' ? sizePattern.exec(text) : null;
  if (match === null) return { ok: false, message: `${describe(text)} is not a size like 256kb` };
  const { mantissa, divisor } = decimal(match[1]!, match[2]);
  const unitBytes = sizeUnitsBytes[match[3]!.toLowerCase() as keyof typeof sizeUnitsBytes];
  const value = (mantissa * unitBytes) / divisor;
  if (!Number.isInteger(value)) return { ok: false, message: `${describe(text)} is not a whole number of bytes` };
  return { ok: true, value };
}
