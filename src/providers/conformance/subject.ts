/**
 * What a back end's test hands the conformance suite: its providers serving the fixture, and the handles on its
 * upstream that the failure cases need.
 * @module
 */
import type { Operator } from '../../selector/index.js';
import type { CustomMetricInfo, CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import type { Fixture } from './fixture.js';

/** A way to make the upstream hang: connections stay open and nothing answers (a paused or partitioned server). */
export interface StallHandle {
  hold(): void;
  release(): void;
  /** Connections a request opened while held that are still open: what an aborted request must give up. */
  held(): number;
}

/** A way to make the upstream unreachable for good, for the last case of the suite. */
export interface UnreachableHandle {
  /** Matches the message of the 503 a read then answers: it names what cannot be reached. */
  readonly names: RegExp;
  cut(): Promise<void>;
}

export interface ConformanceSubject {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  /**
   * Custom metrics the back end lists beyond the fixture's, and must answer too: prometheus-adapter's rules list a
   * namespace metric for every namespaced series.
   */
  readonly extraListed?: readonly CustomMetricInfo[];
  /**
   * Selector operators the back end refuses with a 400 BadRequest instead of answering, because its upstream cannot
   * express them (Sysdig's scopes have no `exists`).
   */
  readonly unsupportedOperators?: {
    readonly labelSelector?: readonly Operator[];
    readonly metricSelector?: readonly Operator[];
  };
  /** The `windowSeconds` every value carries, for a back end that aggregates over a window it knows. */
  readonly windowSeconds?: number;
  /**
   * For a back end that does I/O on a request. Without it, every call must settle without waiting (nothing to abort).
   */
  readonly stall?: StallHandle;
  /** For a back end that reads an upstream on a request. */
  readonly unreachable?: UnreachableHandle;
  close(): Promise<void>;
}

/** Builds a fresh back end serving `fixture`, ready to answer (its discovery done). */
export type OpenSubject = (fixture: Fixture) => Promise<ConformanceSubject>;
