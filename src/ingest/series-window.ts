/**
 * What one pushed series is turned into, sample by sample: a counter's per-second rate over a window, a gauge's
 * last value, a histogram's mean or quantile over a window. Kept per series in memory, so a value costs no query.
 * @module
 */

/** A cumulative histogram sample: `counts[i]` observations ≤ `bounds[i]`, the last count for +Inf. */
export interface HistogramSample {
  readonly count: number;
  readonly sum: number;
  /** Upper bounds, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /** Per bucket (not cumulative), one more than `bounds`, as OTLP sends them. */
  readonly counts: readonly number[];
}

export interface SeriesWindow {
  /** False when the sample is older than or as old as the last one (out of order: dropped, as Prometheus does). */
  add(timestampMs: number, value: number | HistogramSample): boolean;
  /** The value to serve, or undefined while there is none (a counter needs two samples). */
  value(): number | undefined;
}

/**
 * A counter's per-second rate over the samples of the last `windowMs` (ending at the newest sample), as PromQL
 * `rate()` reads a counter: a value below the one before is a reset, and the increase across it is the new value.
 * NB: unlike rate() there is no extrapolation to the window's edges: a series younger than the window is rated over
 * the samples it has, so a new pod's rate is exact from its second sample, and figures can be checked by hand.
 */
export class CounterWindow implements SeriesWindow {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  /** Delta temporality: the running total the deltas add up to. */
  private total = 0;

  constructor(
    private readonly windowMs: number,
    private readonly delta = false,
  ) {}

  add(timestampMs: number, value: number | HistogramSample): boolean {
    if (typeof value !== 'number') return false;
    const n = this.times.length;
    if (n > 0 && timestampMs <= this.times[n - 1]!) return false;
    if (this.delta) {
      // NB: a negative delta cannot come from a monotonic sum; treat it as nothing rather than a reset.
      this.total += Math.max(0, value);
      value = this.total;
    }
    this.times.push(timestampMs);
    this.values.push(value);
    trim(this.times, this.values, timestampMs - this.windowMs);
    return true;
  }

  value(): number | undefined {
    const n = this.times.length;
    if (n < 2) return undefined;
    let increase = 0;
    for (let i = 1; i < n; i++) {
      const current = this.values[i]!;
      const previous = this.values[i - 1]!;
      increase += current >= previous ? current - previous : current;
    }
    return increase / ((this.times[n - 1]! - this.times[0]!) / 1000);
  }
}

/** A gauge: the newest sample. */
export class GaugeWindow implements SeriesWindow {
  private last: number | undefined;
  private lastTime = Number.NEGATIVE_INFINITY;

  add(timestampMs: number, value: number | HistogramSample): boolean {
    if (typeof value !== 'number' || timestampMs <= this.lastTime) return false;
    this.lastTime = timestampMs;
    this.last = value;
    return true;
  }

  value(): number | undefined {
    return this.last;
  }
}

/**
 * A histogram over a window: its mean (increase of the sum over increase of the count), or a quantile from the
 * increase of each bucket, interpolated linearly inside the bucket as PromQL `histogram_quantile` does. With one
 * sample, the whole history of the series is the window.
 */
export class HistogramWindow implements SeriesWindow {
  private readonly times: number[] = [];
  private readonly samples: HistogramSample[] = [];
  private total: HistogramSample | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly quantile: number | undefined,
    private readonly delta = false,
  ) {}

  add(timestampMs: number, value: number | HistogramSample): boolean {
    if (typeof value === 'number') return false;
    const n = this.times.length;
    if (n > 0 && timestampMs <= this.times[n - 1]!) return false;
    if (this.delta) {
      const total = this.total;
      value =
        total === undefined || !sameBounds(total.bounds, value.bounds)
          ? value
          : {
              count: total.count + value.count,
              sum: total.sum + value.sum,
              bounds: value.bounds,
              counts: value.counts.map((c, i) => c + total.counts[i]!),
            };
      this.total = value;
    }
    this.times.push(timestampMs);
    this.samples.push(value);
    trim(this.times, this.samples, timestampMs - this.windowMs);
    return true;
  }

  value(): number | undefined {
    const n = this.samples.length;
    if (n === 0) return undefined;
    const last = this.samples[n - 1]!;
    let increase: HistogramSample = last;
    if (n > 1) {
      const first = this.samples[0]!;
      // NB: a count below the earlier one, or other bounds, is a reset: the newest sample is then the increase.
      if (last.count >= first.count && sameBounds(first.bounds, last.bounds)) {
        increase = {
          count: last.count - first.count,
          sum: last.sum - first.sum,
          bounds: last.bounds,
          counts: last.counts.map((c, i) => c - first.counts[i]!),
        };
      }
    }
    if (increase.count <= 0) return undefined;
    return this.quantile === undefined ? increase.sum / increase.count : bucketQuantile(this.quantile, increase);
  }
}

/** PromQL histogram_quantile over per-bucket counts: linear inside the bucket, the highest finite bound past it. */
export function bucketQuantile(q: number, histogram: HistogramSample): number | undefined {
  const { bounds, counts } = histogram;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0 || bounds.length === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i]!;
    if (below + inBucket >= rank && inBucket > 0) {
      // NB: histogram_quantile returns the highest finite bound for a rank in the +Inf bucket.
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const upper = bounds[i]!;
      // NB: the lowest bucket starts at 0 when its bound is positive, as in promql/quantile.go.
      const lower = i === 0 ? Math.min(upper, 0) : bounds[i - 1]!;
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1];
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}

/** Drops the samples before `oldest`, keeping the newest in any case. */
function trim<T>(times: number[], values: T[], oldest: number): void {
  let drop = 0;
  while (drop < times.length - 1 && times[drop]! < oldest) drop++;
  if (drop > 0) {
    times.splice(0, drop);
    values.splice(0, drop);
  }
}
