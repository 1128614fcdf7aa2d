/**
 * OTLP/HTTP binary bodies: `ExportMetricsServiceRequest` decoded with the hand-written reader (the ingestion hot
 * path, see protobuf-reader.ts), and `ExportMetricsServiceResponse` encoded. Field numbers are those of
 * opentelemetry/proto/{collector/metrics/v1/metrics_service,metrics/v1/metrics,common/v1/common}.proto.
 * @module
 */
import { ProtobufReader, wireType } from './protobuf-reader.js';
import { describe, flagNoRecordedValue, prometheusName, temporalityDelta, type OtlpPoints } from './otlp-points.js';
import type { HistogramSample } from './series-window.js';

type Attributes = Record<string, string>;

/** Decodes a whole request; throws ProtobufError when malformed. */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpPoints {
  const result: OtlpPoints = { points: [], rejected: 0, reasons: new Set() };
  const reader = new ProtobufReader(bytes);
  while (!reader.done) {
    const tag = reader.tag();
    if (tag === ((1 << 3) | wireType.bytes)) {
      const end = reader.lengthEnd();
      readResourceMetrics(new ProtobufReader(bytes, reader.pos, end), result);
      reader.pos = end;
    } else {
      reader.skip(tag);
    }
  }
  return result;
}

/** Runs `each` over the embedded messages of field `field`, skipping every other field. */
function forEachMessage(reader: ProtobufReader, each: (field: number, inner: ProtobufReader) => void): void {
  while (!reader.done) {
    const tag = reader.tag();
    if ((tag & 7) === wireType.bytes) {
      const end = reader.lengthEnd();
      each(tag >>> 3, new ProtobufReader(reader.bytes, reader.pos, end));
      reader.pos = end;
    } else {
      reader.skip(tag);
    }
  }
}

function readResourceMetrics(reader: ProtobufReader, result: OtlpPoints): void {
  const resource: Attributes = {};
  const scopes: ProtobufReader[] = [];
  forEachMessage(reader, (field, inner) => {
    if (field === 1)
      forEachMessage(inner, (resourceField, attribute) => resourceField === 1 && readKeyValue(attribute, resource));
    else if (field === 2) scopes.push(inner);
  });
  // NB: the resource may come after its scopes on the wire; its attributes apply to all of them.
  for (const scope of scopes)
    forEachMessage(scope, (field, metric) => field === 2 && readMetric(metric, resource, result));
}

function readMetric(reader: ProtobufReader, resource: Attributes, result: OtlpPoints): void {
  let name = '';
  let data: { field: number; reader: ProtobufReader } | undefined;
  forEachMessage(reader, (field, inner) => {
    if (field === 1)
      name = new TextDecoder('utf-8', { fatal: true }).decode(inner.bytes.subarray(inner.pos, inner.end));
    else if (field === 5 || field === 7 || field === 9 || field === 10 || field === 11) data = { field, reader: inner };
  });
  if (data === undefined) return;
  if (data.field === 10 || data.field === 11) {
    // NB: exponential histograms and summaries have no served form here; the sender learns it from partial_success.
    const points: ProtobufReader[] = [];
    forEachMessage(data.reader, (field, inner) => field === 1 && points.push(inner));
    result.rejected += points.length;
    result.reasons.add(`${data.field === 10 ? 'exponential histograms' : 'summaries'} are not served (${name})`);
    return;
  }
  const points: ProtobufReader[] = [];
  let temporality = 0;
  let monotonic = false;
  const body = data.reader;
  while (!body.done) {
    const tag = body.tag();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === wireType.bytes) {
      const end = body.lengthEnd();
      points.push(new ProtobufReader(body.bytes, body.pos, end));
      body.pos = end;
    } else if (field === 2 && (tag & 7) === wireType.varint) {
      temporality = body.varint32();
    } else if (field === 3 && (tag & 7) === wireType.varint) {
      // NB: only a Sum has field 3 (is_monotonic); `counter` below reads it for sums alone.
      monotonic = body.varint64() !== 0;
    } else {
      body.skip(tag);
    }
  }
  const delta = temporality === temporalityDelta;
  if (data.field === 9) {
    const seriesName = prometheusName(name, false);
    for (const point of points) readHistogramPoint(point, seriesName, delta, resource, result);
    return;
  }
  const counter = data.field === 7 && monotonic;
  const seriesName = prometheusName(name, counter);
  for (const point of points)
    readNumberPoint(point, seriesName, counter ? 'counter' : 'gauge', counter && delta, resource, result);
}

function readNumberPoint(
  reader: ProtobufReader,
  name: string,
  kind: 'counter' | 'gauge',
  delta: boolean,
  resource: Attributes,
  result: OtlpPoints,
): void {
  const labels: Attributes = { ...resource };
  let timeNano = 0;
  let value = Number.NaN;
  let flags = 0;
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 7:
        if ((tag & 7) === wireType.bytes) readKeyValue(embedded(reader), labels);
        else reader.skip(tag);
        break;
      case 3:
        timeNano = reader.fixed64();
        break;
      case 4:
        value = reader.double();
        break;
      case 6:
        value = reader.sfixed64();
        break;
      case 8:
        flags = reader.varint32();
        break;
      default:
        reader.skip(tag);
    }
  }
  pushPoint(result, describe(name, kind, delta, labels), timeNano, value, flags);
}

function readHistogramPoint(
  reader: ProtobufReader,
  name: string,
  delta: boolean,
  resource: Attributes,
  result: OtlpPoints,
): void {
  const labels: Attributes = { ...resource };
  let timeNano = 0;
  let count = 0;
  let sum = Number.NaN;
  let flags = 0;
  const counts: number[] = [];
  const bounds: number[] = [];
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 9:
        readKeyValue(embedded(reader), labels);
        break;
      case 3:
        timeNano = reader.fixed64();
        break;
      case 4:
        count = reader.fixed64();
        break;
      case 5:
        sum = reader.double();
        break;
      case 6:
        reader.repeatedFixed64(
          tag,
          () => reader.fixed64(),
          (c) => counts.push(c),
        );
        break;
      case 7:
        reader.repeatedFixed64(
          tag,
          () => reader.double(),
          (b) => bounds.push(b),
        );
        break;
      case 10:
        flags = reader.varint32();
        break;
      default:
        reader.skip(tag);
    }
  }
  const valid = counts.length === 0 || counts.length === bounds.length + 1;
  const histogram: HistogramSample | undefined = valid
    ? { count, sum, bounds, counts: counts.length === 0 ? [count] : counts }
    : undefined;
  if (histogram === undefined) {
    result.rejected++;
    result.reasons.add(`a histogram point of ${name} has ${counts.length} bucket counts for ${bounds.length} bounds`);
    return;
  }
  pushPoint(result, describe(name, 'histogram', delta, labels), timeNano, histogram, flags);
}

function pushPoint(
  result: OtlpPoints,
  series: ReturnType<typeof describe>,
  timeNano: number,
  value: number | HistogramSample,
  flags: number,
): void {
  if ((flags & flagNoRecordedValue) !== 0) {
    result.points.push({ series, timeMs: timeNano / 1e6, value: undefined });
    return;
  }
  if (typeof value === 'number' ? !Number.isFinite(value) : !Number.isFinite(value.sum) && value.count > 0) {
    result.rejected++;
    result.reasons.add(`a point of ${series.name} has no finite value`);
    return;
  }
  result.points.push({ series, timeMs: timeNano / 1e6, value });
}

function embedded(reader: ProtobufReader): ProtobufReader {
  const end = reader.lengthEnd();
  const inner = new ProtobufReader(reader.bytes, reader.pos, end);
  reader.pos = end;
  return inner;
}

/** KeyValue { key = 1; AnyValue value = 2 }: scalar values as text, arrays and maps left out. */
function readKeyValue(reader: ProtobufReader, into: Attributes): void {
  let key = '';
  let value: string | undefined;
  while (!reader.done) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === wireType.bytes) key = reader.string();
    else if (tag >>> 3 === 2 && (tag & 7) === wireType.bytes) value = readAnyValue(embedded(reader));
    else reader.skip(tag);
  }
  if (key !== '' && value !== undefined && value !== '') into[key] = value;
}

function readAnyValue(reader: ProtobufReader): string | undefined {
  let value: string | undefined;
  while (!reader.done) {
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 1:
        value = reader.string();
        break;
      case 2:
        value = reader.varint64() !== 0 ? 'true' : 'false';
        break;
      case 3:
        value = String(reader.varint64());
        break;
      case 4:
        value = String(reader.double());
        break;
      default:
        reader.skip(tag);
    }
  }
  return value;
}

/**
 * `ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1 { int64 rejected_data_points = 1;
 * string error_message = 2 } }`.
 */
export function encodeOtlpResponse(rejected: number, message: string): Buffer {
  if (rejected === 0 && message === '') return Buffer.alloc(0);
  const text = Buffer.from(message);
  const inner: number[] = [];
  if (rejected > 0) inner.push(0x08, ...varint(rejected));
  if (text.length > 0) inner.push(0x12, ...varint(text.length), ...text);
  return Buffer.from([0x0a, ...varint(inner.length), ...inner]);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}
