/**
 * Samples the back end's values and the request counters on an interval into ring buffers, for the
 * status page's plots and rates. Memory is bounded: at most `maxSeries` series per metric and
 * `windowMs / intervalMs` points per series, for at most the snapshot's metric limit.
 * @module
 */
import type { RequestCount } from '../self-metrics.js';
import type { MetricSnapshot } from './metric-snapshot.js';
import { RingBuffer } from './ring-buffer.js';

export interface Point {
  readonly t: number;
  readonly v: number;
}

export interface SamplerOptions {
  /** 0: no background sampling; the plots then hold only what page views read. */
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly maxSeries: number;
  readonly now?: () => number;
}

export const defaultSamplerOptions: SamplerOptions = { intervalMs: 10_000, windowMs: 15 * 60_000, maxSeries: 5 };

export interface Sampler {
  /** Takes a sample unless one was taken in the last `minGapMs`. */
  sample(minGapMs?: number): Promise<void>;
  /**
   * Records `metrics` (a snapshot the caller already took) when the last sample is older than
   * `minGapMs` or a series in it has no history yet, so a page shows a new metric's first point at once.
   */
  observe(metrics: readonly MetricSnapshot[], minGapMs: number): void;
  /** Per series (object) of a metric, oldest point first. */
  history(metricKey: string): ReadonlyMap<string, readonly Point[]>;
  /** Requests per second over the sampled window, and the total so far. */
  requestRate(): { readonly perSecond: number | undefined; readonly total: number };
  start(): void;
  stop(): void;
}

export function createSampler(
  snapshot: () => Promise<readonly MetricSnapshot[]>,
  requestCounts: () => readonly RequestCount[],
  options: SamplerOptions = defaultSamplerOptions,
): Sampler {
  const now = options.now ?? Date.now;
  const capacity = Math.max(
    2,
    Math.ceil(options.windowMs / (options.intervalMs > 0 ? options.intervalMs : defaultSamplerOptions.intervalMs)) + 1,
  );
  const series = new Map<string, Map<string, RingBuffer<Point>>>();
  const requests = new RingBuffer<Point>(capacity);
  let lastSample = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function sampleNow(): Promise<void> {
    record(await snapshot());
  }

  function record(metrics: readonly MetricSnapshot[]): void {
    const t = now();
    lastSample = t;
    requests.push({ t, v: requestCounts().reduce((sum, r) => sum + r.count, 0) });
    const live = new Set(metrics.map((m) => m.key));
    // NB: a metric that left the back end (TTL, restart) takes its history with it, so memory follows what is served.
    for (const key of series.keys()) if (!live.has(key)) series.delete(key);
    for (const m of metrics) {
      let perObject = series.get(m.key);
      if (perObject === undefined) series.set(m.key, (perObject = new Map()));
      for (const v of m.values) {
        if (!Number.isFinite(v.number)) continue;
        let ring = perObject.get(v.object);
        if (ring === undefined) {
          if (perObject.size >= options.maxSeries) continue;
          perObject.set(v.object, (ring = new RingBuffer(capacity)));
        }
        ring.push({ t, v: v.number });
      }
    }
  }

  return {
    async sample(minGapMs = 0) {
      if (running) return running;
      if (now() - lastSample < minGapMs) return;
      running = sampleNow().finally(() => (running = undefined));
      return running;
    },
    observe(metrics, minGapMs) {
      const unseen = metrics.some((m) => {
        const perObject = series.get(m.key);
        return (
          perObject === undefined ||
          (perObject.size < options.maxSeries && m.values.some((v) => !perObject.has(v.object)))
        );
      });
      if (unseen || now() - lastSample >= minGapMs) record(metrics);
    },
    history(metricKey) {
      const cutoff = now() - options.windowMs;
      const out = new Map<string, Point[]>();
      for (const [object, ring] of series.get(metricKey) ?? [])
        out.set(
          object,
          ring.toArray().filter((p) => p.t >= cutoff),
        );
      return out;
    },
    requestRate() {
      const points = requests.toArray();
      const total = requestCounts().reduce((sum, r) => sum + r.count, 0);
      if (points.length < 2) return { perSecond: undefined, total };
      const first = points[0]!;
      const last = points[points.length - 1]!;
      return { perSecond: last.t > first.t ? ((last.v - first.v) * 1000) / (last.t - first.t) : undefined, total };
    },
    start() {
      if (timer || options.intervalMs <= 0) return;
      timer = setInterval(() => void this.sample().catch(() => undefined), options.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
