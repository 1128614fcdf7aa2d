/**
 * What a back end offers MetricQuery objects: a query in its own language, run as the object wrote it.
 * A back end without one cannot back such objects (their status says so).
 * @module
 */
import type { Labels } from '../api/types.js';
import type { QueryContext } from './provider.js';

/** One sample of an instant query. `value` is a float; NaN and ±Inf are possible. */
export interface QuerySample {
  readonly labels: Labels;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly value: number;
}

export interface QueryRunner {
  /** The query language; the only one today is PromQL (Prometheus, Sysdig's PromQL API). */
  readonly language: 'promql';
  /** The series label holding the Kubernetes namespace, forced into every selector of an object's query. */
  readonly namespaceLabel: string;
  /**
   * Runs `query` at the current time. Throws StatusError: 400 BadRequest when the back end refuses the query
   * (its own message says why), 503 when the back end cannot be reached.
   */
  instant(query: string, ctx: QueryContext): Promise<readonly QuerySample[]>;
}
