/**
 * What one pushed series is turned into, sample by sample: a counter's per-second rate over a window, a gauge's
 * last value, a histogram's mean or quantile over a window. Kept per series in memory, so a value costs no query.
 * @module
 */
import { SampleRing } from './sample-ring.js';

/** A histogram sample: running totals of `count` observations adding up to `sum`, in buckets by upper bound. */
export interface HistogramSample {
  readonly count: number;
  readonly sum: number;
  /** Upper bounds, ascending, without +Inf. */
  readonly bounds: readonly number[];
  /**
   * One more than `bounds`, the last for +Inf: per bucket as OTLP sends them, or, with `cumulative`, observations at
   * or below each bound as a classic Prometheus histogram's `_bucket{le}` series carry them.
   */
  readonly counts: readonly number[];
  readonly cumulative?: boolean;
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
  private readonly samples = new SampleRing();
  /** Delta temporality: the running total the deltas add up to. */
  private total = 0;
  /**
   * The increase across the window's samples, kept as samples come and go. NB: value() is read after every sample,
   * and summing the window each time made a pushed sample cost as many steps as its window has samples. It is
   * summed afresh once per window's worth of samples, and whenever what was subtracted dwarfs what is left (a large
   * increase leaving the window), so its rounding stays within 2^-40 of the sum's own.
   */
  private increase = 0;
  private updatesSinceSum = 0;
  /** The largest increase between two samples added or subtracted since the last fresh sum. */
  private largestStep = 0;

  constructor(
    private readonly windowMs: number,
    private readonly delta = false,
  ) {}

  add(timestampMs: number, value: number | HistogramSample): boolean {
    if (typeof value !== 'number') return false;
    const samples = this.samples;
    const n = samples.length;
    if (n > 0 && timestampMs <= samples.time(n - 1)) return false;
    if (this.delta) {
      // NB: a negative delta cannot come from a monotonic sum; treat it as nothing rather than a reset.
      this.total += Math.max(0, value);
      value = this.total;
    }
    if (n > 0) this.addStep(counterIncrease(samples.value(n - 1), value));
    samples.push(timestampMs, value);
    const dropped = samples.olderThan(timestampMs - this.windowMs);
    for (let i = 1; i <= dropped; i++) this.addStep(-counterIncrease(samples.value(i - 1), samples.value(i)));
    samples.dropOldest(dropped);
    // NB: each step rounds by at most 2^-53 of the largest; a fresh sum when that could reach 2^-40 of the result.
    const updates = ++this.updatesSinceSum;
    if (updates >= samples.length || updates * this.largestStep > 2 ** 13 * this.increase) this.sumIncrease();
    return true;
  }

  private addStep(step: number): void {
    this.increase += step;
    const size = Math.abs(step);
    if (size > this.largestStep) this.largestStep = size;
  }

  private sumIncrease(): void {
    let increase = 0;
    let largest = 0;
    const samples = this.samples;
    for (let i = 1; i < samples.length; i++) {
      const step = counterIncrease(samples.value(i - 1), samples.value(i));
      increase += step;
      if (step > largest) largest = step;
    }
    this.increase = increase;
    this.largestStep = largest;
    this.updatesSinceSum = 0;
  }

  /** The samples of the window (and a delta counter's running total), for a store shared by replicas. */
  snapshot(): CounterSnapshot {
    const { samples } = this;
    const times: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < samples.length; i++) {
      times.push(samples.time(i));
      values.push(samples.value(i));
    }
    return { times, values, total: this.total };
  }

  /**
   * Takes in what another replica saw of this series. A cumulative counter's samples are merged by timestamp (this
   * replica's value wins a tie); a delta counter's running total is only meaningful whole, so the newer of the two
   * windows is kept.
   */
  merge(other: CounterSnapshot): void {
    const { samples } = this;
    const n = samples.length;
    const otherLast = other.times[other.times.length - 1];
    if (otherLast === undefined) return;
    if (this.delta) {
      if (n > 0 && samples.time(n - 1) > otherLast) return;
      samples.clear();
      for (let i = 0; i < other.times.length; i++) samples.push(other.times[i]!, other.values[i]!);
      this.total = other.total;
      this.sumIncrease();
      return;
    }
    const byTime = new Map<number, number>();
    for (let i = 0; i < other.times.length; i++) byTime.set(other.times[i]!, other.values[i]!);
    for (let i = 0; i < n; i++) byTime.set(samples.time(i), samples.value(i));
    const times = [...byTime.keys()].sort((a, b) => a - b);
    samples.clear();
    for (const time of times) samples.push(time, byTime.get(time)!);
    samples.dropOldest(samples.olderThan(times[times.length - 1]! - this.windowMs));
    this.sumIncrease();
  }

  value(): number | undefined {
    const { samples } = this;
    const n = samples.length;
    if (n < 2) return undefined;
    return this.increase / ((samples.time(n - 1) - samples.time(0)) / 1000);
  }
}

/** A counter window's samples, as a store shared by replicas keeps them. */
export interface CounterSnapshot {
  readonly times: readonly number[];
  readonly values: readonly number[];
  readonly total: number;
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
 * increase of each cumulative bucket, as PromQL `histogram_quantile(q, rate(x_bucket[w]))` reads it. Each of the
 * sum, the count and the buckets is increased as `rate()` increases a counter, a drop counting as a reset; rates
 * and increases over the same samples differ by one factor, which neither a mean nor a quantile sees, so the
 * values are those PromQL gives. With one sample, the whole history of the series is the window.
 */
export class HistogramWindow implements SeriesWindow {
  private readonly times: number[] = [];
  /** Cumulative bucket counts. */
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
        total === undefined || !sameBounds(total.bounds, value.bounds) || total.cumulative !== value.cumulative
          ? value
          : {
              count: total.count + value.count,
              sum: total.sum + value.sum,
              bounds: value.bounds,
              counts: value.counts.map((c, i) => c + total.counts[i]!),
              ...(value.cumulative === true ? { cumulative: true } : {}),
            };
      this.total = value;
    }
    // NB: a layout change starts the window again at this sample: buckets of other bounds cannot be subtracted.
    if (n > 0 && !sameBounds(this.samples[n - 1]!.bounds, value.bounds)) {
      this.times.length = 0;
      this.samples.length = 0;
    }
    this.times.push(timestampMs);
    this.samples.push(cumulativeOf(value));
    trim(this.times, this.samples, timestampMs - this.windowMs);
    return true;
  }

  value(): number | undefined {
    const n = this.samples.length;
    if (n === 0) return undefined;
    let increase = this.samples[0]!;
    if (n > 1) {
      let count = 0;
      let sum = 0;
      const counts = new Array<number>(increase.counts.length).fill(0);
      for (let i = 1; i < n; i++) {
        const current = this.samples[i]!;
        const previous = this.samples[i - 1]!;
        count += counterIncrease(previous.count, current.count);
        sum += counterIncrease(previous.sum, current.sum);
        for (let b = 0; b < counts.length; b++) counts[b]! += counterIncrease(previous.counts[b]!, current.counts[b]!);
      }
      increase = { count, sum, bounds: increase.bounds, counts, cumulative: true };
    }
    if (this.quantile !== undefined) return bucketQuantile(this.quantile, increase);
    // NB: PromQL's rate(sum)/rate(count) is NaN for no observations; no value is served then.
    return increase.count > 0 ? increase.sum / increase.count : undefined;
  }
}

/** How a counter went from `previous` to `current`, a drop being a reset, as `rate()` counts it. */
function counterIncrease(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

/** The sample with cumulative bucket counts. */
function cumulativeOf(sample: HistogramSample): HistogramSample {
  if (sample.cumulative === true) return sample;
  const counts = new Array<number>(sample.counts.length);
  let running = 0;
  for (let i = 0; i < counts.length; i++) counts[i] = running += sample.counts[i]!;
  return { count: sample.count, sum: sample.sum, bounds: sample.bounds, counts, cumulative: true };
}

/** Bucket counts that differ by at most this share are equal (promql/quantile.go: float precision errors). */
const smallDeltaTolerance = 1e-12;

/**
 * PromQL's bucketQuantile (promql/quantile.go) for classic buckets: buckets of one bound are merged, precision errors
 * and then any decrease between successive cumulative buckets are evened out, the bucket holding the rank is the
 * first whose cumulative count reaches it, and the quantile is interpolated linearly inside it, from 0 when the
 * lowest bound is positive (the lowest bound itself when it is not), or is the highest finite bound when the rank
 * falls in the +Inf bucket. Undefined where PromQL gives NaN: no observations, only a +Inf bucket, or an empty
 * bucket holding a rank of 0.
 */
export function bucketQuantile(q: number, histogram: HistogramSample): number | undefined {
  const sample = cumulativeOf(histogram);
  const bounds: number[] = [];
  const cumulative: number[] = [];
  for (let i = 0; i < sample.bounds.length; i++) {
    const bound = sample.bounds[i]!;
    // NB: bounds arrive ascending, so equal bounds are neighbours; their counts add up as coalesceBuckets does.
    if (bounds.length > 0 && bounds[bounds.length - 1] === bound)
      cumulative[cumulative.length - 1]! += sample.counts[i]!;
    else {
      bounds.push(bound);
      cumulative.push(sample.counts[i]!);
    }
  }
  cumulative.push(sample.counts[sample.counts.length - 1]!);
  let previous = cumulative[0]!;
  for (let i = 1; i < cumulative.length; i++) {
    const current = cumulative[i]!;
    const delta = Math.abs(current - previous);
    if (delta === 0) continue;
    if (delta / current <= smallDeltaTolerance) cumulative[i] = previous;
    else previous = current;
  }
  for (let i = 1; i < cumulative.length; i++)
    if (cumulative[i]! < cumulative[i - 1]!) cumulative[i] = cumulative[i - 1]!;
  if (cumulative.length < 2) return undefined;
  const observations = cumulative[cumulative.length - 1]!;
  if (!(observations > 0)) return undefined;
  let rank = q * observations;
  let b = 0;
  while (b < cumulative.length - 1 && cumulative[b]! < rank) b++;
  if (b === cumulative.length - 1) return bounds[bounds.length - 1];
  if (b === 0 && bounds[0]! <= 0) return bounds[0];
  let start = 0;
  let count = cumulative[b]!;
  if (b > 0) {
    start = bounds[b - 1]!;
    count -= cumulative[b - 1]!;
    rank -= cumulative[b - 1]!;
  }
  const value = start + (bounds[b]! - start) * (rank / count);
  return Number.isNaN(value) ? undefined : value;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}

/** Drops the samples before `oldest`, keeping the newest in any case. */
/** Drops the samples older than `oldest` from the start, the newest always kept. */
function trim<T>(times: number[], values: T[], oldest: number): void {
  let count = 0;
  while (count < times.length - 1 && times[count]! < oldest) count++;
  if (count === 0) return;
  times.splice(0, count);
  values.splice(0, count);
}
