/**
 * Go `time.ParseDuration` for flags and config (`--metric-ttl 10m`, `every: 1m30s`), so durations read
 * the same as in every Kubernetes component.
 * @module
 */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';
}

/** Milliseconds in a Go duration string such as `300ms`, `1.5h`, `2h45m`; `0` alone is allowed. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  let index = 0;
  let total = 0;
  const body = text.startsWith('+') ? text.slice(1) : text;
  if (body.startsWith('-')) throw new InvalidDurationError(`invalid duration "${text}": must not be negative`);
  while (index < body.length) {
    part.lastIndex = index;
    const match = part.exec(body);
    if (!match) break;
    total += Number(match[1]) * unitMs[match[2]!]!;
    index = part.lastIndex;
  }
  if (body.length === 0 || index !== body.length) {
    throw new InvalidDurationError(`invalid duration "${text}": use a number and a unit such as 30s, 5m or 1h30m`);
  }
  return total;
}

/** A duration given either as a Go duration string or as milliseconds. */
export function toMilliseconds(value: string | number): number {
  return typeof value === 'number' ? value : parseDuration(value);
}
