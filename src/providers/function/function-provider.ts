/**
 * The one-function API as a provider: `addMetric({ namespace, name, every }, fn)` registers an external metric
 * whose value a function computes, with retries and caching done here (the counterpart of the Go
 * externalmetrics `AddMetric`). Requests read the cached result and never wait on a function.
 * @module
 */
import { externalMetricNotFound } from '../../api/errors.js';
import { parseDuration } from '../../duration/index.js';
import type { Selector } from '../../selector/index.js';
import type { ExternalMetricInfo, ExternalMetricsProvider, ExternalMetricValue } from '../provider.js';
import { systemClock, type Clock } from './clock.js';
import {
  ScheduledMetric,
  type MetricFunction,
  type MetricLogger,
  type MetricTrigger,
  type ScheduleOptions,
} from './scheduled-metric.js';

/** A Go duration string (`'15s'`, `'1m30s'`) or milliseconds. */
export type Duration = string | number;

export interface RetryOptions {
  /** Delay before the first retry; default 1s. */
  readonly initialDelay?: Duration;
  /** Longest delay between retries; default `every`, or 1m without one. */
  readonly maxDelay?: Duration;
  /** Each delay is stretched by up to this fraction at random; default 0.2. */
  readonly jitter?: number;
}

export interface AddMetricOptions {
  /**
   * The namespace the metric is visible in; `'*'` (the default) for every namespace. A namespaced metric shadows a
   * `'*'` one of the same name.
   */
  readonly namespace?: string;
  /** The external metric's name, as an HPA names it (`external.metric.name`). */
  readonly name: string;
  /** Run the function this often (after the previous run ends). Without it, it runs on start and on `trigger` only. */
  readonly every?: Duration;
  /** Also run on each event of this source: an async iterable (a stream, a generator) or an EventEmitter. */
  readonly trigger?: MetricTrigger;
  /** The event an EventEmitter `trigger` is listened to for; default `'change'`. */
  readonly triggerEvent?: string;
  /** Removes the metric when aborted: it stops running and answers 404. */
  readonly signal?: AbortSignal;
  /** A run that takes longer fails, and its signal aborts; default `every` capped at 30s, or 30s. */
  readonly timeout?: Duration;
  /**
   * While the function fails, its last good value is served until it is this old, then 503; default 3×`every` but at
   * least 1m, or 5m.
   */
  readonly maxStaleness?: Duration;
  /** Backoff of retries after a failure, or false to wait for the next interval or event. */
  readonly retry?: RetryOptions | false;
}

/** A registered metric. */
export interface MetricHandle {
  /** Stops running the function and removes the metric (same as aborting `signal`). */
  remove(): void;
}

export interface FunctionProviderOptions {
  /** Failures and recoveries are logged here (a pino Logger fits); default silent. */
  readonly logger?: MetricLogger;
  /** For tests: the time source of schedules, timeouts and staleness. */
  readonly clock?: Clock;
  /** For tests: the jitter source, returning [0, 1). */
  readonly random?: () => number;
}

export interface FunctionProvider extends ExternalMetricsProvider {
  /**
   * Registers `fn` as the external metric `options.name` and runs it at once. Throws a TypeError for bad options or a
   * duplicate.
   */
  addMetric(options: AddMetricOptions, fn: MetricFunction): MetricHandle;
  /**
   * Synchronous: it reads the cached results and never waits on a function. Throws 404 for an unknown metric, 503 for a
   * stale one.
   */
  getExternalMetric(namespace: string, metricSelector: Selector, info: ExternalMetricInfo): ExternalMetricValue[];
  /** How many metrics are registered. */
  readonly size: number;
  /** Stops every metric. */
  close(): void;
}

const everyNamespace = '*';
const silent: MetricLogger = { warn: () => undefined, info: () => undefined };

export function createFunctionProvider(providerOptions: FunctionProviderOptions = {}): FunctionProvider {
  const deps = {
    clock: providerOptions.clock ?? systemClock,
    random: providerOptions.random ?? Math.random,
    logger: providerOptions.logger ?? silent,
  };
  /** namespace → metric name → metric. */
  const scopes = new Map<string, Map<string, ScheduledMetric>>();
  let listCache: readonly ExternalMetricInfo[] | undefined;
  let size = 0;

  const find = (namespace: string, name: string) =>
    scopes.get(namespace)?.get(name) ?? scopes.get(everyNamespace)?.get(name);

  return {
    get size() {
      return size;
    },
    addMetric(options, fn) {
      if (typeof fn !== 'function')
        throw new TypeError(`addMetric(${JSON.stringify(options.name)}): the second argument must be a function`);
      const schedule = scheduleOptions(options);
      let scope = scopes.get(schedule.namespace);
      if (scope === undefined) {
        scope = new Map();
        scopes.set(schedule.namespace, scope);
      }
      if (scope.has(schedule.name)) {
        throw new TypeError(
          `addMetric: the metric ${schedule.name} is already registered for namespace ${schedule.namespace}`,
        );
      }
      const metric = new ScheduledMetric(schedule, fn, deps);
      scope.set(schedule.name, metric);
      size++;
      listCache = undefined;
      let removed = false;
      const remove = () => {
        if (removed) return;
        removed = true;
        metric.stop();
        scope.delete(schedule.name);
        if (scope.size === 0) scopes.delete(schedule.namespace);
        size--;
        listCache = undefined;
        options.signal?.removeEventListener('abort', remove);
      };
      if (options.signal?.aborted === true) {
        remove();
        return { remove };
      }
      options.signal?.addEventListener('abort', remove, { once: true });
      metric.start();
      return { remove };
    },
    getExternalMetric(namespace: string, metricSelector: Selector, info: ExternalMetricInfo): ExternalMetricValue[] {
      const metric = find(namespace, info.metric);
      if (metric === undefined) throw externalMetricNotFound(info.metric);
      const { result, at } = metric.current();
      return result.select(metricSelector).map((series) => ({
        metricName: info.metric,
        metricLabels: series.labels,
        timestamp: at,
        value: series.value,
      }));
    },
    listAllExternalMetrics() {
      listCache ??= [...new Set([...scopes.values()].flatMap((scope) => [...scope.keys()]))]
        .sort()
        .map((metric) => ({ metric }));
      return listCache;
    },
    close() {
      for (const scope of scopes.values()) for (const metric of scope.values()) metric.stop();
      scopes.clear();
      size = 0;
      listCache = undefined;
    },
  };
}

function scheduleOptions(options: AddMetricOptions): ScheduleOptions {
  const what = `addMetric(${JSON.stringify(options.name)})`;
  if (typeof options.name !== 'string' || options.name === '' || options.name.includes('/')) {
    throw new TypeError(`${what}: name must be a non-empty string without "/"`);
  }
  const namespace = options.namespace ?? everyNamespace;
  if (namespace !== everyNamespace && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    throw new TypeError(
      `${what}: namespace must be '*' or a namespace name (a DNS label), got ${JSON.stringify(namespace)}`,
    );
  }
  const ms = (key: string, duration: Duration | undefined): number | undefined => {
    if (duration === undefined) return undefined;
    if (typeof duration === 'number') {
      if (!Number.isFinite(duration) || duration <= 0)
        throw new TypeError(`${what}: ${key} must be a positive number of milliseconds, got ${duration}`);
      return duration;
    }
    let parsed: number;
    try {
      parsed = parseDuration(duration);
    } catch (error) {
      throw new TypeError(`${what}: ${key}: ${(error as Error).message}`);
    }
    if (parsed <= 0) throw new TypeError(`${what}: ${key} must be longer than 0`);
    return parsed;
  };
  const everyMs = ms('every', options.every);
  const retry = options.retry === false ? false : (options.retry ?? {});
  const initialMs = retry === false ? 0 : (ms('retry.initialDelay', retry.initialDelay) ?? 1000);
  const jitter = retry === false ? 0 : (retry.jitter ?? 0.2);
  if (!(jitter >= 0 && jitter <= 1)) throw new TypeError(`${what}: retry.jitter must be from 0 to 1, got ${jitter}`);
  return {
    namespace,
    name: options.name,
    everyMs,
    trigger: options.trigger,
    triggerEvent: options.triggerEvent ?? 'change',
    timeoutMs: ms('timeout', options.timeout) ?? Math.min(everyMs ?? 30_000, 30_000),
    maxStalenessMs:
      ms('maxStaleness', options.maxStaleness) ?? (everyMs === undefined ? 300_000 : Math.max(3 * everyMs, 60_000)),
    retry:
      retry === false
        ? false
        : { initialMs, maxMs: Math.max(ms('retry.maxDelay', retry.maxDelay) ?? everyMs ?? 60_000, initialMs), jitter },
  };
}
