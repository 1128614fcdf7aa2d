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

export function viewOf(entry: MetricQueryEntry, activeWindowMs: number, now: number): MetricQueryView {
  const status = statusOf(entry, activeWindowMs, now);
  const [valid, active] = status.conditions ?? [];
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
  const readAgo = entry.lastReadAt === undefined ? undefined : now - entry.lastReadAt;
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
    conditions: [valid, active],
  };
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
  return b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
