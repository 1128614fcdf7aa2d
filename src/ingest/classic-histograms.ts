/**
 * Classic Prometheus histograms as remote-write carries them: one series per bucket (`<name>_bucket{le="…"}`), plus
 * `<name>_sum` and `<name>_count`, each sent on its own and possibly in different requests (a sender's shards split
 * series by hash). They are put back together here, per timestamp, into one histogram sample of the series
 * `<name>` with the labels other than `le`, which the ingest rules then read as they read an OTLP histogram.
 * @module
 */
import type { Labels } from '../api/types.js';
import type { SeriesDescription } from './compile-ingest-rules.js';
import { labelsKey } from './compile-ingest-rules.js';
import type { HistogramSample } from './series-window.js';

/** What one pushed series is to the histogram it belongs to. */
export interface HistogramPart {
  /** The key of the assembled series, and how to describe it on first sight. */
  readonly groupKey: string;
  readonly group: SeriesDescription;
  /** The bucket's `le` as sent, or the `_sum` or `_count` series. */
  readonly role: { readonly le: string; readonly bound: number } | 'sum' | 'count';
}

/** The parts' samples of one timestamp, until they make a whole histogram. */
interface Pending {
  readonly buckets: Map<string, number>;
  sum: number | undefined;
  count: number | undefined;
}

/** Timestamps a histogram keeps waiting for its parts; older ones are dropped. */
const maxPending = 8;

export class HistogramAssembly {
  /** Every `le` seen, so a timestamp is whole only once each of them has come. */
  private readonly les = new Map<string, number>();
  private readonly pending = new Map<number, Pending>();
  /** The newest timestamp emitted; parts at or before it come too late. */
  private emittedMs = Number.NEGATIVE_INFINITY;

  add(part: HistogramPart, timestampMs: number, value: number): boolean {
    if (timestampMs <= this.emittedMs) return false;
    let entry = this.pending.get(timestampMs);
    if (entry === undefined) {
      if (this.pending.size >= maxPending) this.pending.delete(Math.min(...this.pending.keys()));
      entry = { buckets: new Map(), sum: undefined, count: undefined };
      this.pending.set(timestampMs, entry);
    }
    const role = part.role;
    if (role === 'sum') entry.sum = value;
    else if (role === 'count') entry.count = value;
    else {
      entry.buckets.set(role.le, value);
      if (!this.les.has(role.le)) this.les.set(role.le, role.bound);
    }
    return true;
  }

  /**
   * The histograms now whole, oldest first. A timestamp is whole when every bucket seen so far, the +Inf bucket,
   * the sum and the count have come; or, with its +Inf bucket, sum and count, once a later timestamp has started
   * (a bucket that never comes was dropped by the sender, and is forgotten).
   */
  take(): { readonly timestampMs: number; readonly sample: HistogramSample }[] {
    const out: { timestampMs: number; sample: HistogramSample }[] = [];
    const times = [...this.pending.keys()].sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      const at = times[i]!;
      const entry = this.pending.get(at)!;
      const later = i < times.length - 1;
      if (entry.sum === undefined || entry.count === undefined || !hasInf(entry.buckets, this.les)) continue;
      let whole = true;
      for (const le of this.les.keys()) if (!entry.buckets.has(le)) whole = false;
      if (!whole && !later) continue;
      if (!whole) for (const le of [...this.les.keys()]) if (!entry.buckets.has(le)) this.les.delete(le);
      out.push({ timestampMs: at, sample: this.sampleOf(entry) });
      this.emittedMs = at;
      for (const older of times.slice(0, i + 1)) this.pending.delete(older);
    }
    return out;
  }

  private sampleOf(entry: Pending): HistogramSample {
    const buckets = [...entry.buckets].map(([le, count]) => ({ bound: this.les.get(le)!, count }));
    buckets.sort((a, b) => a.bound - b.bound);
    const finite = buckets.filter((bucket) => bucket.bound !== Number.POSITIVE_INFINITY);
    const inf = buckets.filter((bucket) => bucket.bound === Number.POSITIVE_INFINITY);
    return {
      count: entry.count!,
      sum: entry.sum!,
      bounds: finite.map((bucket) => bucket.bound),
      // NB: two spellings of +Inf (`+Inf`, `Inf`) are one bucket, as PromQL coalesces buckets of one bound.
      counts: [...finite.map((bucket) => bucket.count), inf.reduce((total, bucket) => total + bucket.count, 0)],
      cumulative: true,
    };
  }
}

function hasInf(buckets: ReadonlyMap<string, number>, les: ReadonlyMap<string, number>): boolean {
  for (const le of buckets.keys()) if (les.get(le) === Number.POSITIVE_INFINITY) return true;
  return false;
}

const suffixes = ['_bucket', '_sum', '_count'] as const;

/**
 * What a remote-write series is to a classic histogram: a `_bucket` series with a numeric `le`, or a `_sum` or
 * `_count` series (those are served on their own too, and feed a histogram only once its buckets arrive).
 */
export function histogramPartOf(series: SeriesDescription): HistogramPart | undefined {
  if (series.kind !== undefined) return undefined;
  const suffix = suffixes.find((s) => series.name.endsWith(s) && series.name.length > s.length);
  if (suffix === undefined) return undefined;
  const base = series.name.slice(0, -suffix.length);
  const le = series.labels.le;
  if (suffix === '_bucket') {
    if (le === undefined) return undefined;
    const bound = parseBound(le);
    if (bound === undefined) return undefined;
    const { le: _le, ...labels } = series.labels;
    return { ...groupOf(base, labels), role: { le, bound } };
  }
  if (le !== undefined) return undefined;
  return { ...groupOf(base, series.labels), role: suffix === '_sum' ? 'sum' : 'count' };
}

function groupOf(name: string, labels: Labels): Pick<HistogramPart, 'groupKey' | 'group'> {
  // NB: remote-write keys are label bytes, which start with a protobuf tag, never with NUL: no clash.
  return {
    groupKey: `\u0000histogram\u0000${name}\u0000${labelsKey(labels)}`,
    group: { name, labels, kind: 'histogram' },
  };
}

/** An `le` as Go's strconv.ParseFloat reads it (Prometheus writes `+Inf` and shortest floats). */
function parseBound(le: string): number | undefined {
  if (/^[+]?inf(inity)?$/i.test(le)) return Number.POSITIVE_INFINITY;
  if (le.trim() !== le || le === '') return undefined;
  const bound = Number(le);
  return Number.isNaN(bound) ? undefined : bound;
}
