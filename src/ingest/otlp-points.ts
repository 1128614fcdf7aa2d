/**
 * OTLP metrics (opentelemetry/proto/metrics/v1/metrics.proto) as the points ingestion takes, whichever encoding
 * they came in: name in Prometheus' form, resource and point attributes as labels, and what the point is.
 * @module
 */
import type { SeriesDescription, SeriesKind } from './compile-ingest-rules.js';
import { labelsKey } from './compile-ingest-rules.js';
import type { IngestPipeline, IngestTransaction, PushedSeries } from './ingest-pipeline.js';
import type { HistogramSample } from './series-window.js';
import { countSample, noOutcomes, type SampleOutcomes } from './sample-outcomes.js';

export interface OtlpPoint {
  /** The series' identity in the pipeline. */
  readonly key: string;
  /** Its description; left out when the pipeline already knows `key` (it then never asks for one). */
  readonly series: SeriesDescription | undefined;
  /** The pipeline's series of `key`, when the decoder found it (see {@link IngestPipeline.find}). */
  readonly known?: PushedSeries | undefined;
  readonly timeMs: number;
  /** Undefined for a point flagged "no recorded value" (the series ended, like a Prometheus stale marker). */
  readonly value: number | HistogramSample | undefined;
}

/** Points of a request, and the ones refused while decoding (types not served, values that are no number). */
export interface OtlpPoints {
  readonly points: OtlpPoint[];
  rejected: number;
  readonly reasons: Set<string>;
}

/** AggregationTemporality. */
export const temporalityDelta = 1;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE. */
export const flagNoRecordedValue = 1;

/**
 * The Prometheus form of an OTLP metric name (the OpenTelemetry Prometheus exporters' translation, without unit
 * suffixes): characters outside `[a-zA-Z0-9_:]` become `_`, and a monotonic sum ends in `_total`, so that the rules
 * for a Prometheus agent's counters apply to it too.
 */
export function prometheusName(name: string, monotonicSum: boolean): string {
  let converted = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(converted)) converted = `_${converted}`;
  return monotonicSum && !converted.endsWith('_total') ? `${converted}_total` : converted;
}

export function describe(
  name: string,
  kind: SeriesKind,
  delta: boolean,
  labels: Record<string, string>,
): SeriesDescription {
  return delta ? { name, labels, kind, delta } : { name, labels, kind };
}

/** The key of a series described in full (the JSON decoder's; the protobuf one keys series by their bytes). */
export function seriesKey(series: SeriesDescription): string {
  return `${series.name}\u0000${series.kind ?? ''}\u0000${series.delta === true ? 'd' : 'c'}\u0000${labelsKey(series.labels)}`;
}

/** Feeds decoded points to a transaction; returns what became of them (the points the decoder refused not counted). */
export function ingestOtlpPoints(points: readonly OtlpPoint[], tx: IngestTransaction): SampleOutcomes {
  const outcomes = noOutcomes();
  for (const point of points) {
    const handle =
      point.known !== undefined
        ? tx.seen(point.known)
        : tx.series(point.key, () => point.series ?? unknownSeries(point.key));
    if (point.value === undefined) tx.stale(handle);
    else countSample(outcomes, handle, tx.sample(handle, point.timeMs, point.value));
  }
  return outcomes;
}

function unknownSeries(key: string): never {
  throw new Error(`OTLP series ${JSON.stringify(key)} was decoded as known to the pipeline, which no longer knows it`);
}
