/**
 * One metric function and its refresh loop: runs on start, every `every`, and on each trigger event; retries
 * failures with capped exponential backoff; never runs twice at once; keeps the last good result, which
 * requests read without ever waiting on the function.
 * @module
 */
import type { EventEmitter } from 'node:events';
import { serviceUnavailable } from '../../api/errors.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { Clock, Timer } from './clock.js';
import { toMetricResult, type MetricFunctionResult, type MetricResult } from './metric-value.js';

/** What a metric function is called with. */
export interface MetricContext {
  /** The namespace the metric was added for, `'*'` for every namespace. */
  readonly namespace: string;
  readonly name: string;
  /** Aborts when the run times out, or the metric is removed or closed: pass it to `fetch` and the like. */
  readonly signal: AbortSignal;
  /** 0 for a first try, n for the n-th retry after consecutive failures. */
  readonly attempt: number;
  /**
   * The trigger event that caused this run (the latest, if several arrived during the previous run); else undefined.
   */
  readonly event: unknown;
}

/** Computes a metric's value. It may throw or hang: neither blocks requests or other metrics. */
export type MetricFunction = (ctx: MetricContext) => MetricFunctionResult | Promise<MetricFunctionResult>;

/** A source of "refresh now" events: any async iterable, or an EventEmitter and the event name to listen to. */
export type MetricTrigger = AsyncIterable<unknown> | EventEmitter;

export interface ScheduleOptions {
  readonly namespace: string;
  readonly name: string;
  readonly everyMs: number | undefined;
  readonly trigger: MetricTrigger | undefined;
  readonly triggerEvent: string;
  readonly timeoutMs: number;
  readonly maxStalenessMs: number;
  readonly retry: BackoffOptions | false;
}

/** Where failures and recoveries are logged; a pino Logger fits. */
export interface MetricLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface ScheduleDeps {
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: MetricLogger;
}

export class ScheduledMetric {
  private result: MetricResult | undefined;
  private resultAt = 0;
  private failures = 0;
  private lastError: unknown;
  private timer: Timer | undefined;
  private running = false;
  private wanted = false;
  private wantedEvent: unknown;
  private stopped = false;
  private readonly closing = new AbortController();
  private stopTrigger: (() => void) | undefined;

  constructor(
    private readonly options: ScheduleOptions,
    private readonly fn: MetricFunction,
    private readonly deps: ScheduleDeps,
  ) {}

  /** Runs the function now and keeps refreshing until {@link stop}. */
  start(): void {
    this.listen(this.options.trigger);
    this.request(undefined);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.stopTrigger?.();
    this.closing.abort(new Error(`metric ${this.options.name} was removed`));
  }

  /**
   * The last good result. Throws a 503 StatusError before the first success, and once the function has
   * failed for longer than the maximum staleness since its last success; the cause holds the function's error.
   */
  current(): { readonly result: MetricResult; readonly at: number } {
    const { name, maxStalenessMs } = this.options;
    if (this.result === undefined) {
      throw this.failures > 0
        ? serviceUnavailable(`the external metric ${name} has no value: its function is failing`, this.lastError)
        : serviceUnavailable(`the external metric ${name} has no value yet`);
    }
    if (this.failures > 0 && this.deps.clock.now() - this.resultAt > maxStalenessMs) {
      throw serviceUnavailable(
        `the external metric ${name} is stale: its function has failed since ${new Date(this.resultAt).toISOString()}`,
        this.lastError,
      );
    }
    return { result: this.result, at: this.resultAt };
  }

  /** Asks for a run now; one already running makes it wait for that one to finish (runs never overlap). */
  private request(event: unknown): void {
    if (this.stopped) return;
    this.wanted = true;
    this.wantedEvent = event;
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    this.wanted = false;
    this.timer?.cancel();
    this.timer = undefined;
    const attempt = this.failures;
    const event = this.wantedEvent;
    this.wantedEvent = undefined;
    const controller = new AbortController();
    const abortOnClose = () => controller.abort(this.closing.signal.reason);
    this.closing.signal.addEventListener('abort', abortOnClose, { once: true });
    let settled = false;
    const timeout = this.deps.clock.setTimer(() => {
      if (settled) return;
      settled = true;
      const error = new Error(`metric function ${this.options.name} timed out after ${this.options.timeoutMs} ms`);
      controller.abort(error);
      this.fail(error);
    }, this.options.timeoutMs);
    try {
      const { namespace, name } = this.options;
      // NB: a function that hangs ignoring its signal holds `running` until it settles, so a retry never
      // overlaps it; only this metric goes stale, the loop of every other metric runs on.
      const result = toMetricResult(await this.fn({ namespace, name, signal: controller.signal, attempt, event }));
      if (!settled) {
        settled = true;
        this.succeed(result);
      }
    } catch (error) {
      if (!settled) {
        settled = true;
        this.fail(error);
      }
    } finally {
      timeout.cancel();
      this.closing.signal.removeEventListener('abort', abortOnClose);
      this.running = false;
    }
    if (this.wanted && !this.stopped) void this.run();
  }

  private succeed(result: MetricResult): void {
    if (this.stopped) return;
    this.result = result;
    this.resultAt = this.deps.clock.now();
    if (this.failures > 0)
      this.deps.logger.info(
        { metric: this.options.name, namespace: this.options.namespace },
        `metric function ${this.options.name} recovered`,
      );
    this.failures = 0;
    this.lastError = undefined;
    if (this.options.everyMs !== undefined) this.schedule(this.options.everyMs);
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.failures++;
    this.lastError = error;
    const { retry, everyMs, name, namespace } = this.options;
    const delay = retry === false ? everyMs : backoffDelay(this.failures, retry, this.deps.random);
    this.deps.logger.warn(
      { metric: name, namespace, failures: this.failures, retryInMs: delay, err: error },
      `metric function ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (delay !== undefined) this.schedule(delay);
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.request(undefined);
    }, delayMs);
  }

  private listen(trigger: MetricTrigger | undefined): void {
    if (trigger === undefined) return;
    if (isAsyncIterable(trigger)) {
      const iterator = trigger[Symbol.asyncIterator]();
      this.stopTrigger = () => void iterator.return?.()?.catch(() => undefined);
      void (async () => {
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done === true || this.stopped) return;
            this.request(next.value);
          }
        } catch (error) {
          this.deps.logger.warn(
            { metric: this.options.name, err: error },
            `the trigger of metric ${this.options.name} failed; it now refreshes only on its interval`,
          );
        }
      })();
      return;
    }
    const listener = (event: unknown) => this.request(event);
    trigger.on(this.options.triggerEvent, listener);
    this.stopTrigger = () => trigger.off(this.options.triggerEvent, listener);
  }
}

function isAsyncIterable(value: MetricTrigger): value is AsyncIterable<unknown> {
  return typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';
}
