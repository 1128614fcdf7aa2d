/**
 * Freshness rules on the answer path: values older than `maxAge` count as missing, and `onMissing` says
 * what a missing value becomes: an error (as without a rule), a zero, or the last good answer while it is
 * younger than `maxAge`. The last good answers are kept per query, in a bounded map.
 * @module
 */
import { StatusError } from '../api/errors.js';
import type { MetricsApiKind } from './metric-matcher.js';
import type { FreshnessRule } from './routing-config.js';

/** Enough last good answers for every HPA of a large cluster; the oldest goes first past this. */
const maxRemembered = 20_000;

export interface Timestamped {
  readonly timestamp: number;
}

export interface FreshQuery<T extends Timestamped> {
  readonly api: MetricsApiKind;
  readonly metric: string;
  /** Identifies the query (path and selectors) for the last good answer. */
  readonly key: string;
  readonly fetch: () => Promise<readonly T[]>;
  /** The answer for `onMissing: zero`, or undefined where zero has no meaning (a selector with no known objects). */
  readonly zero: () => readonly T[] | undefined;
  /** The error for a value that is there but too old; undefined: an empty answer is a valid one (selector queries). */
  readonly stale?: (ageMs: number) => StatusError;
}

export class FreshnessKeeper {
  private readonly lastGood = new Map<string, readonly Timestamped[]>();
  /** Oldest timestamp of the last answer, per `api metric`, for the age gauge. */
  private readonly oldestServed = new Map<string, { api: MetricsApiKind; metric: string; timestamp: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async answer<T extends Timestamped>(rule: FreshnessRule | undefined, query: FreshQuery<T>): Promise<readonly T[]> {
    if (rule === undefined) return query.fetch();
    let values: readonly T[] | undefined;
    let failure: StatusError | undefined;
    try {
      values = await query.fetch();
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      failure = error;
    }
    const oldest = this.now() - rule.maxAgeMs;
    if (values !== undefined) {
      const fresh = values.filter((v) => v.timestamp >= oldest);
      if (fresh.length > 0) return this.served(query, fresh, true);
    }
    if (rule.onMissing === 'last') {
      const remembered = (this.lastGood.get(query.key) ?? []) as readonly T[];
      const fresh = remembered.filter((v) => v.timestamp >= oldest);
      if (fresh.length > 0) return this.served(query, fresh, false);
    }
    // NB: zero stands in for a missing value, never for a back end that failed: scaling on 0 because
    // Prometheus is down is the gap this rule exists to avoid.
    if (rule.onMissing === 'zero' && (failure === undefined || failure.code === 404)) {
      const zero = query.zero();
      if (zero !== undefined) return this.served(query, zero, false);
    }
    if (failure !== undefined) throw failure;
    const newest = (values ?? []).reduce((max, v) => Math.max(max, v.timestamp), Number.NEGATIVE_INFINITY);
    if (values !== undefined && values.length > 0 && query.stale !== undefined) throw query.stale(this.now() - newest);
    return [];
  }

  /** `metrics_adapter_metric_value_age_seconds` for metrics under a freshness rule. */
  render(): string {
    const now = this.now();
    const lines = [
      '# HELP metrics_adapter_metric_value_age_seconds Age of the oldest value in the last answer, for metrics under a freshness rule.',
      '# TYPE metrics_adapter_metric_value_age_seconds gauge',
    ];
    for (const { api, metric, timestamp } of this.oldestServed.values()) {
      lines.push(
        `metrics_adapter_metric_value_age_seconds{api="${api}",metric="${metric.replace(/["\\\n]/g, '_')}"} ${Math.max(0, (now - timestamp) / 1000)}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  private served<T extends Timestamped>(query: FreshQuery<T>, values: readonly T[], remember: boolean): readonly T[] {
    if (remember) {
      this.lastGood.delete(query.key);
      this.lastGood.set(query.key, values);
      if (this.lastGood.size > maxRemembered) this.lastGood.delete(this.lastGood.keys().next().value!);
    }
    const timestamp = values.reduce((min, v) => Math.min(min, v.timestamp), Number.POSITIVE_INFINITY);
    this.oldestServed.set(`${query.api}\u0000${query.metric}`, { api: query.api, metric: query.metric, timestamp });
    return values;
  }
}
