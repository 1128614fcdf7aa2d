/**
 * The controller's memory, as a file: the HPA controller keeps its recent recommendations and scale
 * events in process memory only (`horizontal.go` `recommendations`, `scaleUpEvents`, `scaleDownEvents`),
 * so `explain --history FILE` takes them as input. YAML or JSON:
 *
 * ```yaml
 * now: 2025-06-01T12:00:00Z            # optional: the reconcile's time (else --now, else the clock)
 * recommendations:                     # unstabilized recommendations of earlier reconciles
 * - {timestamp: 2025-06-01T11:57:00Z, replicas: 10}
 * - {ago: 30s, replicas: 8}            # or relative to now, as a Go duration
 * scaleEvents:                         # rescales the controller made (behavior rate limits)
 * - {timestamp: 2025-06-01T11:59:30Z, from: 6, to: 10}
 * ```
 * @module
 */
import { z } from 'zod';
import { parseDuration } from '../duration/index.js';
import { parseYamlWith } from './parse-yaml.js';
import type { Recommendation, ScaleEvent } from './types.js';

export class InvalidHistoryError extends Error {
  override readonly name = 'InvalidHistoryError';
}

/** RFC 3339 as Kubernetes writes it (`metav1.Time`): a date, a time and a zone. */
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;

/** Milliseconds since the epoch of an RFC 3339 time, or undefined when `text` is not one. */
export function parseTime(text: string): number | undefined {
  if (!rfc3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

const time = z
  .string()
  .refine((t) => parseTime(t) !== undefined, { message: 'must be an RFC 3339 time such as 2025-06-01T12:00:00Z' });
const ago = z.string().refine(
  (t) => {
    try {
      parseDuration(t);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a duration such as 30s, 2m or 1h30m' },
);
const replicas = z.number().int().min(0).max(2_147_483_647);

/** A point in time: an absolute `timestamp` or `ago` before now, exactly one of them. */
const when = z.object({ timestamp: time.optional(), ago: ago.optional() }).strict();

const historySchema = z
  .object({
    now: time.optional(),
    recommendations: z
      .array(
        when
          .extend({ replicas })
          .strict()
          .refine((r) => (r.timestamp === undefined) !== (r.ago === undefined), {
            message: 'needs either timestamp or ago',
          }),
      )
      .default([]),
    scaleEvents: z
      .array(
        when
          .extend({ from: replicas, to: replicas })
          .strict()
          .refine((e) => (e.timestamp === undefined) !== (e.ago === undefined), {
            message: 'needs either timestamp or ago',
          })
          .refine((e) => e.from !== e.to, {
            message: 'from and to must differ: a scale event changes the replica count',
          }),
      )
      .default([]),
  })
  .strict();

export interface History {
  readonly recommendations: readonly Recommendation[];
  readonly scaleEvents: readonly ScaleEvent[];
  /** Ms since the epoch: the time of the reconcile being explained. */
  readonly now: number;
}

export interface ParseHistoryOptions {
  /** `--now`, which wins over the file's `now`. */
  readonly now?: number;
  /** The clock, used when neither gives a time. */
  readonly clock: number;
}

/** Reads a history file. Times after `now` are mistakes: the controller only remembers the past. */
export function parseHistory(text: string, source: string, options: ParseHistoryOptions): History {
  const data = parseYamlWith(
    text,
    source,
    historySchema,
    'a mapping with recommendations and scaleEvents',
    (message) => new InvalidHistoryError(message),
  );
  const now = options.now ?? (data.now !== undefined ? parseTime(data.now)! : options.clock);
  const at = (field: string, entry: { timestamp?: string | undefined; ago?: string | undefined }): number => {
    const t = entry.timestamp !== undefined ? parseTime(entry.timestamp)! : now - parseDuration(entry.ago!);
    if (t > now)
      throw new InvalidHistoryError(
        `${source}: ${field}: ${entry.timestamp} is after now (${new Date(now).toISOString()}); pass --now or set now: in the file`,
      );
    return t;
  };
  return {
    now,
    recommendations: data.recommendations.map((r, i) => ({
      replicas: r.replicas,
      timestamp: at(`recommendations[${i}].timestamp`, r),
    })),
    scaleEvents: data.scaleEvents.map((e, i) => ({
      change: e.to - e.from,
      timestamp: at(`scaleEvents[${i}].timestamp`, e),
    })),
  };
}
