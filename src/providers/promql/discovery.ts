/**
 * Lists the series each rule's `seriesQuery` selects from `/api/v1/series`, every relist interval and on demand
 * before the first list completes (prometheus-adapter periodic_metric_lister.go). Rules sharing a seriesQuery share one
 * call. A rule whose call fails keeps what it found last time, so one bad rule never empties the others.
 * @module
 */
import type { Labels } from '../../api/types.js';
import type { Logger } from '../../log/index.js';
import type { PrometheusClient } from './client/index.js';
import type { CompiledRule } from './rules/index.js';
import type { RuleSeries, SeriesRegistry } from './series-registry.js';

export interface DiscoveryOptions {
  readonly client: PrometheusClient;
  readonly registry: SeriesRegistry;
  readonly rules: readonly CompiledRule[];
  readonly externalRules: readonly CompiledRule[];
  readonly relistIntervalMs: number;
  /** How far back a series counts as present (the peer's `--metrics-max-age`). */
  readonly maxAgeMs: number;
  readonly logger: Logger;
}

export interface Discovery {
  /** Lists now, then every relist interval. */
  start(): void;
  /** One list; concurrent callers share it. Never rejects: failures are logged. */
  relist(): Promise<void>;
  /** Resolves once a list has completed, starting one if none is under way; rejects when `signal` aborts first. */
  ensureListed(signal: AbortSignal): Promise<void>;
  stop(): void;
}

export function createDiscovery(options: DiscoveryOptions): Discovery {
  const { client, registry, logger } = options;
  const lastSeries = new Map<string, readonly Labels[]>();
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function listOnce(): Promise<void> {
    const queries = [...new Set([...options.rules, ...options.externalRules].map((rule) => rule.seriesQuery))];
    const startMs = Date.now() - options.maxAgeMs;
    let failures = 0;
    await Promise.all(
      queries.map(async (query) => {
        try {
          lastSeries.set(query, await client.series([query], startMs));
        } catch (error) {
          failures++;
          logger.warn(
            { seriesQuery: query, err: error, cause: (error as Error).cause },
            `cannot list the series of ${query}: ${(error as Error).message}`,
          );
        }
      }),
    );
    if (stopped) return;
    // NB: until every query has answered once, a missing rule would look like a metric that does not exist.
    if (queries.some((query) => !lastSeries.has(query))) return;
    const withSeries = (rules: readonly CompiledRule[]): RuleSeries[] =>
      rules.map((rule) => ({ rule, series: lastSeries.get(rule.seriesQuery) ?? [] }));
    registry.set(withSeries(options.rules), withSeries(options.externalRules));
    const counts = registry.seriesCount;
    logger.debug({ custom: counts.custom, external: counts.external, failures }, 'relisted metrics from Prometheus');
  }

  function relist(): Promise<void> {
    inFlight ??= listOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    start() {
      void relist();
      timer = setInterval(() => void relist(), options.relistIntervalMs);
      timer.unref();
    },
    relist,
    async ensureListed(signal) {
      if (registry.listed) return;
      signal.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        relist().then(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, reject);
      });
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
    },
  };
}
