/**
 * The status an object should have, from what the adapter knows of it. Pure, so the status loop can compare
 * it with what it last wrote and write only a real change.
 * @module
 */
import type { MetricQueryCondition, MetricQueryStatus } from './metric-query.js';
import type { MetricQueryEntry } from './metric-query-registry.js';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** `lastTransitionTime` moves only when the condition's status does (metav1.Condition). */
function condition(
  type: MetricQueryCondition['type'],
  status: MetricQueryCondition['status'],
  reason: string,
  message: string,
  previous: readonly MetricQueryCondition[] | undefined,
  now: number,
): MetricQueryCondition {
  const before = previous?.find((c) => c.type === type);
  const lastTransitionTime =
    before !== undefined && before.status === status ? before.lastTransitionTime : rfc3339(now);
  return { type, status, reason, message, lastTransitionTime };
}

/** One object as the status page shows it. */
export interface MetricQueryView {
  /** `namespace/name`. */
  readonly object: string;
  readonly servedAs: string;
  readonly backend: string;
  readonly valid: string;
  readonly active: string;
  readonly value?: string;
  /** The Valid condition's message: the error, or what the object serves. */
  readonly message: string;
}

/** `stored`: show the status the leader wrote (this replica does not evaluate), unless the object does not compile. */
export function viewOf(entry: MetricQueryEntry, activeWindowMs: number, now: number, stored = false): MetricQueryView {
  const status =
    stored && entry.invalid === undefined && entry.object.status !== undefined
      ? entry.object.status
      : statusOf(entry, activeWindowMs, now);
  const valid = status.conditions?.find((c) => c.type === 'Valid');
  const active = status.conditions?.find((c) => c.type === 'Active');
  const spec = (entry.object.spec ?? {}) as { backend?: unknown; servedAs?: unknown };
  return {
    object: entry.key,
    servedAs:
      entry.compiled?.api === 'custom' ? 'Custom' : typeof spec.servedAs === 'string' ? spec.servedAs : 'External',
    backend: typeof spec.backend === 'string' ? spec.backend : '',
    valid: valid?.status ?? 'Unknown',
    active: active?.status ?? 'Unknown',
    ...(status.currentValue !== undefined ? { value: status.currentValue } : {}),
    message: valid?.message ?? '',
  };
}

export function statusOf(entry: MetricQueryEntry, activeWindowMs: number, now: number): MetricQueryStatus {
  const previous = entry.object.status?.conditions;
  const valid =
    entry.invalid !== undefined
      ? condition('Valid', 'False', entry.invalid.reason, entry.invalid.message, previous, now)
      : entry.rejected !== undefined
        ? condition('Valid', 'False', 'QueryRejected', entry.rejected, previous, now)
        : entry.evaluation === undefined
          ? condition(
              'Valid',
              'Unknown',
              'NotEvaluated',
              `the query compiled; it has not run against back end ${entry.compiled?.backendName ?? ''} yet${entry.unavailable !== undefined ? `: ${entry.unavailable}` : ''}`,
              previous,
              now,
            )
          : condition(
              'Valid',
              'True',
              'QueryValid',
              `served as the ${describe(entry)} from back end ${entry.compiled?.backendName ?? ''}`,
              previous,
              now,
            );
  const lastReadTime = readTimeToReport(entry, activeWindowMs);
  const lastRead = Math.max(entry.lastReadAt ?? Number.NEGATIVE_INFINITY, parseTime(lastReadTime));
  const readAgo = Number.isFinite(lastRead) ? now - lastRead : undefined;
  const active =
    readAgo !== undefined && readAgo <= activeWindowMs
      ? condition(
          'Active',
          'True',
          'Read',
          `read through the metrics API in the last ${Math.round(activeWindowMs / 60_000)} minutes`,
          previous,
          now,
        )
      : condition(
          'Active',
          'False',
          'NotRead',
          `not read through the metrics API in the last ${Math.round(activeWindowMs / 60_000)} minutes`,
          previous,
          now,
        );
  const evaluation = entry.invalid === undefined && entry.rejected === undefined ? entry.evaluation : undefined;
  return {
    observedGeneration: entry.object.metadata.generation ?? 0,
    ...(evaluation?.value !== undefined ? { currentValue: evaluation.value } : {}),
    ...(evaluation !== undefined ? { series: evaluation.series, lastUpdated: rfc3339(evaluation.at) } : {}),
    ...(lastReadTime !== undefined ? { lastReadTime } : {}),
    conditions: [valid, active],
  };
}

export function parseTime(text: string | undefined): number {
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** The latest `status.lastReadTime` this replica knows: the stored one, or the one it wrote since. */
export function knownReadTime(entry: MetricQueryEntry): string | undefined {
  const stored = entry.object.status?.lastReadTime;
  return entry.reportedReadAt !== undefined && entry.reportedReadAt > parseTime(stored)
    ? rfc3339(entry.reportedReadAt)
    : stored;
}

/**
 * `status.lastReadTime` as this replica should leave it: the known one, moved to this replica's last read once that
 * is half an Active window newer. So each object gets at most one such write per half window from all replicas
 * together (a replica sees the others' writes through its watch), and a stored time is never more than half a
 * window behind the last read: Active stays True while any replica serves the object.
 */
export function readTimeToReport(entry: MetricQueryEntry, activeWindowMs: number): string | undefined {
  const known = knownReadTime(entry);
  if (entry.lastReadAt === undefined) return known;
  // NB: compared at the second the field holds, so the moves are at least half a window apart.
  const read = rfc3339(entry.lastReadAt);
  return parseTime(read) - parseTime(known) >= activeWindowMs / 2 ? read : known;
}

/** `status` with `lastReadTime` set to `lastReadTime` (or removed): to compare statuses apart from it. */
export function withReadTime(status: MetricQueryStatus, lastReadTime: string | undefined): MetricQueryStatus {
  const { lastReadTime: _, ...rest } = status;
  return lastReadTime === undefined ? rest : { ...rest, lastReadTime };
}
function describe(entry: MetricQueryEntry): string {
  const compiled = entry.compiled;
  if (compiled === undefined) return 'metric';
  return compiled.api === 'external'
    ? `external metric ${compiled.info.metric}`
    : `custom metric ${compiled.info.metric} of ${compiled.info.groupResource.resource}${compiled.info.groupResource.group === '' ? '' : `.${compiled.info.groupResource.group}`}`;
}

/** Whether `next` differs from `written` in more than the value and its time: such a change is written first. */
export function isUrgent(next: MetricQueryStatus, written: MetricQueryStatus | undefined): boolean {
  if (written === undefined) return true;
  if (next.observedGeneration !== written.observedGeneration) return true;
  const shape = (s: MetricQueryStatus) =>
    JSON.stringify((s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]));
  return shape(next) !== shape(written) || (next.currentValue === undefined) !== (written.currentValue === undefined);
}

export function sameStatus(a: MetricQueryStatus, b: MetricQueryStatus | undefined): boolean {
  return b !== undefined && canonical(a) === canonical(b);
}

/** NB: JSON with sorted keys: kube-apiserver returns a custom resource's fields sorted (Go's encoding/json maps). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
