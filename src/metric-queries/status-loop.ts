/**
 * Keeps every MetricQuery's status current, at a bounded cost: each valid object's query runs once per
 * `evaluateEveryMs` (a few at a time), and status writes go through a token bucket of `writesPerSecond`.
 * A change of condition or generation is written first; a new value alone at most once per
 * `minValueWriteIntervalMs`. So with 1,000 objects the API server sees at most `writesPerSecond` PATCHes.
 * With several replicas only the leader (`isLeader`) evaluates and writes statuses; the others only move
 * `status.lastReadTime` forward, at most once per half Active window per object, so the leader counts their reads.
 * @module
 */
import type { KubeClient } from '../kube/kube-client.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import { StatusError } from '../api/errors.js';
import { metricQueryPath, type MetricQueryStatus } from './metric-query.js';
import type { MetricQueryEntry, MetricQueryRegistry } from './metric-query-registry.js';
import { evaluate } from './serve-metric-queries.js';
import {
  isUrgent,
  knownReadTime,
  parseTime,
  readTimeToReport,
  sameStatus,
  statusOf,
  withReadTime,
} from './status-of.js';

export interface StatusLoopOptions {
  readonly registry: MetricQueryRegistry;
  readonly client: Pick<KubeClient, 'mergePatch'>;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  /** How often each object's query runs for its status; default 30 s. */
  readonly evaluateEveryMs?: number;
  /** Status PATCHes per second across all objects; default 5. */
  readonly writesPerSecond?: number;
  /** A changed value alone is written at most this often per object; default 60 s. */
  readonly minValueWriteIntervalMs?: number;
  /** Read within this long: Active; default 5 minutes. */
  readonly activeWindowMs?: number;
  /** Queries run at once for statuses; default 4. */
  readonly concurrency?: number;
  /** Whether this replica writes statuses now (leader election); default always. */
  readonly isLeader?: () => boolean;
  readonly now?: () => number;
}

interface Written {
  readonly status: MetricQueryStatus;
  readonly at: number;
}

const tickMs = 200;

export class MetricQueryStatusLoop {
  private readonly written = new Map<string, Written>();
  private readonly inFlight = new Set<string>();
  private readonly evaluating = new Set<string>();
  private tokens: number;
  private lastTick: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly counts = { written: 0, failed: 0, evaluations: 0, readReports: 0 };
  private wasLeader = false;
  private readonly now: () => number;
  private readonly evaluateEveryMs: number;
  private readonly writesPerSecond: number;
  private readonly minValueWriteIntervalMs: number;
  readonly activeWindowMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: StatusLoopOptions) {
    this.now = options.now ?? Date.now;
    this.evaluateEveryMs = options.evaluateEveryMs ?? 30_000;
    this.writesPerSecond = options.writesPerSecond ?? 5;
    this.minValueWriteIntervalMs = options.minValueWriteIntervalMs ?? 60_000;
    this.activeWindowMs = options.activeWindowMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
    this.tokens = Math.max(1, this.writesPerSecond);
    this.lastTick = this.now();
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** `/metrics` lines. */
  render(): string {
    let valid = 0;
    let invalid = 0;
    for (const entry of this.options.registry.all()) {
      if (entry.invalid === undefined && entry.rejected === undefined) valid++;
      else invalid++;
    }
    return [
      '# HELP metrics_adapter_metric_queries MetricQuery objects the adapter watches, by validity.',
      '# TYPE metrics_adapter_metric_queries gauge',
      `metrics_adapter_metric_queries{valid="true"} ${valid}`,
      `metrics_adapter_metric_queries{valid="false"} ${invalid}`,
      '# HELP metrics_adapter_metric_query_status_writes_total Status writes of MetricQuery objects, by result.',
      '# TYPE metrics_adapter_metric_query_status_writes_total counter',
      `metrics_adapter_metric_query_status_writes_total{result="success"} ${this.counts.written}`,
      `metrics_adapter_metric_query_status_writes_total{result="failure"} ${this.counts.failed}`,
      '# HELP metrics_adapter_metric_query_evaluations_total Queries run for MetricQuery statuses.',
      '# TYPE metrics_adapter_metric_query_evaluations_total counter',
      `metrics_adapter_metric_query_evaluations_total ${this.counts.evaluations}`,
      '# HELP metrics_adapter_metric_query_read_reports_total status.lastReadTime writes by a replica that does not lead.',
      '# TYPE metrics_adapter_metric_query_read_reports_total counter',
      `metrics_adapter_metric_query_read_reports_total ${this.counts.readReports}`,
      '# HELP metrics_adapter_metric_query_leader Whether this replica writes MetricQuery statuses (1) or not (0).',
      '# TYPE metrics_adapter_metric_query_leader gauge',
      `metrics_adapter_metric_query_leader ${(this.options.isLeader?.() ?? true) ? 1 : 0}`,
      '',
    ].join('\n');
  }

  /** One round: start due evaluations, then spend the write tokens. Public for tests. */
  tick(): void {
    const now = this.now();
    this.tokens = Math.min(
      Math.max(1, this.writesPerSecond),
      this.tokens + ((now - this.lastTick) / 1000) * this.writesPerSecond,
    );
    this.lastTick = now;
    const leader = this.options.isLeader?.() ?? true;
    if (leader !== this.wasLeader) {
      // NB: what another leader wrote since is in the objects; this replica's own record of writes is stale.
      this.written.clear();
      this.wasLeader = leader;
    }
    if (!leader) {
      this.reportReads();
      return;
    }
    const urgent: [MetricQueryEntry, MetricQueryStatus][] = [];
    const routine: [MetricQueryEntry, MetricQueryStatus][] = [];
    const alive = new Set<string>();
    const due: [MetricQueryEntry, string][] = [];
    for (const entry of this.options.registry.all()) {
      const id = idOf(entry);
      alive.add(id);
      if (
        entry.compiled !== undefined &&
        entry.rejected === undefined &&
        entry.nextEvaluationAt <= now &&
        !this.evaluating.has(id)
      ) {
        due.push([entry, id]);
      }
      if (this.inFlight.has(id)) continue;
      if (awaitingFirstEvaluation(entry)) continue;
      const next = statusOf(entry, this.activeWindowMs, now);
      const written = this.written.get(id);
      const stored = written?.status ?? entry.object.status;
      const current = stored === undefined ? undefined : withReadTime(stored, knownReadTime(entry));
      if (sameStatus(next, current)) continue;
      if (isUrgent(next, current)) urgent.push([entry, next]);
      else if (written === undefined || now - written.at >= this.minValueWriteIntervalMs) routine.push([entry, next]);
    }
    // NB: the longest overdue first: when more are due than run at once, the same few must not always win.
    due.sort(([a], [b]) => a.nextEvaluationAt - b.nextEvaluationAt);
    for (const [entry, id] of due.slice(0, Math.max(0, this.concurrency - this.evaluating.size)))
      this.runEvaluation(entry, id);
    for (const id of this.written.keys()) if (!alive.has(id)) this.written.delete(id);
    for (const [entry, status] of [...urgent, ...routine]) {
      if (this.tokens < 1) break;
      this.tokens -= 1;
      this.write(entry, status);
    }
  }

  /** A replica that does not lead tells the leader of its reads, through `status.lastReadTime` (status-of.ts). */
  private reportReads(): void {
    for (const entry of this.options.registry.all()) {
      if (this.tokens < 1) break;
      const id = idOf(entry);
      const report = readTimeToReport(entry, this.activeWindowMs);
      if (this.inFlight.has(id) || report === undefined || report === knownReadTime(entry)) continue;
      this.tokens -= 1;
      this.patch(entry, { lastReadTime: report }, () => this.counts.readReports++);
    }
  }

  private runEvaluation(entry: MetricQueryEntry, id: string): void {
    this.evaluating.add(id);
    const compiled = entry.compiled!;
    const signal = AbortSignal.timeout(30_000);
    void evaluate(entry, { signal }, this.options.mapper)
      .then(
        (result) => {
          if (entry.compiled !== compiled) return;
          entry.evaluation = { at: this.now(), ...result };
          entry.unavailable = undefined;
        },
        (error: unknown) => {
          if (entry.compiled !== compiled) return;
          if (error instanceof StatusError && error.code === 400) entry.rejected = error.message;
          else entry.unavailable = (error as Error).message;
        },
      )
      .finally(() => {
        this.counts.evaluations++;
        this.evaluating.delete(id);
        if (entry.compiled === compiled) entry.nextEvaluationAt = this.now() + this.evaluateEveryMs;
      });
  }

  private write(entry: MetricQueryEntry, status: MetricQueryStatus): void {
    // NB: a merge patch keeps fields it does not name: a value that is gone is removed with null.
    const patch = { currentValue: null, series: null, lastUpdated: null, ...status };
    this.patch(entry, patch, () => {
      this.counts.written++;
      this.written.set(idOf(entry), { status, at: this.now() });
    });
  }

  private patch(entry: MetricQueryEntry, status: Record<string, unknown>, done: () => void): void {
    const id = idOf(entry);
    const { namespace, name } = entry.object.metadata;
    this.inFlight.add(id);
    void this.options.client
      .mergePatch(`${metricQueryPath(namespace, name)}/status`, { status }, AbortSignal.timeout(10_000))
      .then(
        () => {
          if (typeof status.lastReadTime === 'string') entry.reportedReadAt = parseTime(status.lastReadTime);
          done();
        },
        (error: unknown) => {
          this.counts.failed++;
          this.options.logger.warn(
            { metricQuery: entry.key, err: (error as Error).message },
            'cannot write the status of a MetricQuery; retrying',
          );
        },
      )
      .finally(() => this.inFlight.delete(id));
  }
}

/**
 * A valid object the stored status calls Valid, for the current generation, that this replica has not evaluated yet:
 * a new leader (or a restart) waits for its first evaluation instead of writing Valid=Unknown in between.
 */
function awaitingFirstEvaluation(entry: MetricQueryEntry): boolean {
  if (entry.compiled === undefined || entry.rejected !== undefined) return false;
  if (entry.evaluation !== undefined || entry.unavailable !== undefined) return false;
  const stored = entry.object.status;
  return (
    stored?.observedGeneration === (entry.object.metadata.generation ?? 0) &&
    stored.conditions?.some((c) => c.type === 'Valid' && c.status === 'True') === true
  );
}

function idOf(entry: MetricQueryEntry): string {
  return `${entry.key}\u0000${entry.object.metadata.uid ?? ''}`;
}
