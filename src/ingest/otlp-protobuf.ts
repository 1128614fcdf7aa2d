/**
 * OTLP/HTTP binary bodies: `ExportMetricsServiceRequest` decoded with the hand-written reader (the ingestion hot
 * path, see protobuf-reader.ts), and `ExportMetricsServiceResponse` encoded. Field numbers are those of
 * opentelemetry/proto/{collector/metrics/v1/metrics_service,metrics/v1/metrics,common/v1/common}.proto.
 * @module
 */
import { createHash } from 'node:crypto';
import { ProtobufReader, wireType } from './protobuf-reader.js';
import { describe, flagNoRecordedValue, prometheusName, temporalityDelta, type OtlpPoints } from './otlp-points.js';
import type { SeriesDescription } from './compile-ingest-rules.js';
import type { PushedSeries } from './ingest-pipeline.js';
import type { HistogramSample } from './series-window.js';

type Attributes = Record<string, string>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One request being decoded. */
interface Decoding {
  readonly bytes: Uint8Array;
  /** The same bytes, to cut keys from. */
  readonly buffer: Buffer;
  readonly find: (key: string) => PushedSeries | undefined;
  readonly result: OtlpPoints;
  /**
   * The point being read: its attributes' bounds (the first `spanCount` entries; NB: emptying an array by its length
   * frees its store, and the next point's push allocated a new one), and the run of attribute bytes its key is cut
   * from.
   */
  readonly spans: number[];
  spanCount: number;
  keyHead: string;
  runStart: number;
  runEnd: number;
}

/**
 * Decodes a whole request; throws ProtobufError when malformed. A point's series is keyed by the bytes its sender
 * encoded it with (its resource, metric name and kind, and its attributes), as remote-write's are, so a series
 * `find` knows costs one map lookup and comes with its point, and only a new one has its attributes decoded.
 */
export function decodeOtlpProtobuf(
  bytes: Uint8Array,
  find: (key: string) => PushedSeries | undefined = () => undefined,
): OtlpPoints {
  const decoding: Decoding = {
    bytes,
    buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    find,
    result: { points: [], rejected: 0, reasons: new Set() },
    spans: [],
    spanCount: 0,
    keyHead: '',
    runStart: -1,
    runEnd: -1,
  };
  const reader = new ProtobufReader(bytes);
  while (!reader.done) {
    const tag = reader.tag();
    if (tag === ((1 << 3) | wireType.bytes)) {
      const end = reader.lengthEnd();
      readResourceMetrics(new ProtobufReader(bytes, reader.pos, end), decoding);
      reader.pos = end;
    } else {
      reader.skip(tag);
    }
  }
  return decoding.result;
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

/** A metric's points and what they share. */
interface MetricContext {
  readonly name: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly delta: boolean;
  readonly resource: Attributes;
  /** The start of its points' keys. */
  readonly key: string;
}

function readResourceMetrics(reader: ProtobufReader, decoding: Decoding): void {
  const resource: Attributes = {};
  let resourceBytes = '';
  const scopes: ProtobufReader[] = [];
  forEachMessage(reader, (field, inner) => {
    if (field === 1) {
      resourceBytes = decoding.buffer.toString('latin1', inner.pos, inner.end);
      forEachMessage(inner, (resourceField, attribute) => resourceField === 1 && readKeyValue(attribute, resource));
    } else if (field === 2) scopes.push(inner);
  });
  // NB: the resource may come after its scopes on the wire; its attributes apply to all of them. Its bytes open every
  // key with their length, so no key is the prefix of another resource's.
  const resourceKey = `\u0001${resourceBytes.length}:${resourceBytes}`;
  for (const scope of scopes)
    forEachMessage(scope, (field, metric) => field === 2 && readMetric(metric, resource, resourceKey, decoding));
}

function readMetric(reader: ProtobufReader, resource: Attributes, resourceKey: string, decoding: Decoding): void {
  const { result } = decoding;
  let name = '';
  let data: { field: number; reader: ProtobufReader } | undefined;
  forEachMessage(reader, (field, inner) => {
    if (field === 1) name = utf8.decode(inner.bytes.subarray(inner.pos, inner.end));
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
  /** Start and end of each point. */
  const points: number[] = [];
  let temporality = 0;
  let monotonic = false;
  const body = data.reader;
  while (!body.done) {
    const tag = body.tag();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === wireType.bytes) {
      const end = body.lengthEnd();
      points.push(body.pos, end);
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
  const counter = data.field === 7 && monotonic;
  const kind = data.field === 9 ? 'histogram' : counter ? 'counter' : 'gauge';
  const seriesName = prometheusName(name, counter);
  const seriesDelta = kind === 'gauge' ? false : delta;
  const metric: MetricContext = {
    name: seriesName,
    kind,
    delta: seriesDelta,
    resource,
    // Stryker disable next-line StringLiteral: equivalent, 'd' or 'c' emptied still tells the two apart.
    key: digestOf(`${resourceKey}\u0000${seriesName}\u0000${kind}\u0000${seriesDelta ? 'd' : 'c'}\u0000`),
  };
  // NB: one reader for every point, its bounds moved from point to point.
  const point = body;
  for (let i = 0; i < points.length; i += 2) {
    point.pos = points[i]!;
    point.end = points[i + 1]!;
    if (kind === 'histogram') readHistogramPoint(point, metric, decoding);
    else readNumberPoint(point, metric, decoding);
  }
}

/** Metric key prefixes by their digest: a prefix repeats in every request of its sender. */
let digests = new Map<string, string>();
const digestsKept = 4096;

/**
 * A 128-bit digest of a metric's key prefix (its resource's bytes, name, kind and temporality). NB: every point's key
 * starts with it, and a map lookup hashes and compares the whole key: the resource alone is often longer than the
 * rest. Being a function of the prefix, it is the same whether or not it was kept.
 */
function digestOf(prefix: string): string {
  let digest = digests.get(prefix);
  if (digest === undefined) {
    digest = createHash('sha256').update(prefix, 'latin1').digest().toString('latin1', 0, 16);
    if (digests.size >= digestsKept) digests = new Map();
    digests.set(prefix, digest);
  }
  return digest;
}

/** Starts a point's key at its metric's prefix. */
function startPoint(decoding: Decoding, metric: MetricContext): void {
  decoding.spanCount = 0;
  decoding.keyHead = metric.key;
  decoding.runStart = -1;
  decoding.runEnd = -1;
}

/**
 * Notes the attribute at the reader, whose tag began at `at`: its bounds, and its bytes (tag and length included, so
 * two attribute lists never make one key) for the key. Attributes sent in one run make one slice of the body.
 */
function readAttribute(reader: ProtobufReader, at: number, decoding: Decoding): void {
  const end = reader.lengthEnd();
  decoding.spans[decoding.spanCount++] = reader.pos;
  decoding.spans[decoding.spanCount++] = end;
  reader.pos = end;
  if (at !== decoding.runEnd) {
    if (decoding.runStart >= 0)
      decoding.keyHead += decoding.buffer.toString('latin1', decoding.runStart, decoding.runEnd);
    decoding.runStart = at;
  }
  decoding.runEnd = end;
}

/**
 * Where a point's key is put together: its head (the metric's digest), then its attribute bytes. NB: joining the two
 * as strings made a concatenation that the map lookup then copied into a flat string; bytes made into one string once
 * cost a third of that. Decoding is synchronous, so one buffer serves every request.
 */
const keyScratch = Buffer.allocUnsafe(4096);
/** The head `keyScratch` starts with. */
let scratchHead = '';

/** The key of the point just read. */
function pointKey(decoding: Decoding): string {
  const { keyHead, runStart, runEnd } = decoding;
  if (runStart < 0) return keyHead;
  const headLength = keyHead.length;
  const length = headLength + runEnd - runStart;
  if (length > keyScratch.length) return keyHead + decoding.buffer.toString('latin1', runStart, runEnd);
  if (keyHead !== scratchHead) {
    keyScratch.write(keyHead, 0, 'latin1');
    scratchHead = keyHead;
  }
  decoding.buffer.copy(keyScratch, headLength, runStart, runEnd);
  return keyScratch.toString('latin1', 0, length);
}

/** The series of a point: the pipeline's own when it knows the key, else described. */
function seriesOf(metric: MetricContext, key: string, decoding: Decoding): PushedSeries | SeriesDescription {
  const known = decoding.find(key);
  if (known !== undefined) return known;
  const labels: Attributes = { ...metric.resource };
  const spans = decoding.spans;
  for (let i = 0; i < decoding.spanCount; i += 2)
    readKeyValue(new ProtobufReader(decoding.bytes, spans[i]!, spans[i + 1]!), labels);
  return describe(metric.name, metric.kind, metric.delta, labels);
}

function readNumberPoint(reader: ProtobufReader, metric: MetricContext, decoding: Decoding): void {
  startPoint(decoding, metric);
  let timeNano = 0;
  let value = Number.NaN;
  let flags = 0;
  while (!reader.done) {
    const at = reader.pos;
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 7:
        if ((tag & 7) === wireType.bytes) readAttribute(reader, at, decoding);
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
  const key = pointKey(decoding);
  pushPoint(decoding.result, metric, key, seriesOf(metric, key, decoding), timeNano, value, flags);
}

function readHistogramPoint(reader: ProtobufReader, metric: MetricContext, decoding: Decoding): void {
  startPoint(decoding, metric);
  let timeNano = 0;
  let count = 0;
  let sum = Number.NaN;
  let flags = 0;
  const counts: number[] = [];
  const bounds: number[] = [];
  while (!reader.done) {
    const at = reader.pos;
    const tag = reader.tag();
    switch (tag >>> 3) {
      case 9:
        if ((tag & 7) === wireType.bytes) readAttribute(reader, at, decoding);
        else reader.skip(tag);
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
  const { result } = decoding;
  if (counts.length !== 0 && counts.length !== bounds.length + 1) {
    result.rejected++;
    result.reasons.add(
      `a histogram point of ${metric.name} has ${counts.length} bucket counts for ${bounds.length} bounds`,
    );
    return;
  }
  // NB: no observations and no sum: the sum of nothing is 0 (a sum missing beside observations is refused below).
  if (Number.isNaN(sum) && count === 0) sum = 0;
  const histogram: HistogramSample = { count, sum, bounds, counts: counts.length === 0 ? [count] : counts };
  const key = pointKey(decoding);
  pushPoint(result, metric, key, seriesOf(metric, key, decoding), timeNano, histogram, flags);
}

function pushPoint(
  result: OtlpPoints,
  metric: MetricContext,
  key: string,
  of: PushedSeries | SeriesDescription,
  timeNano: number,
  value: number | HistogramSample,
  flags: number,
): void {
  const known = 'outputs' in of ? of : undefined;
  const series = known === undefined ? (of as SeriesDescription) : undefined;
  if ((flags & flagNoRecordedValue) !== 0) {
    result.points.push({ key, series, known, timeMs: timeNano / 1e6, value: undefined });
    return;
  }
  if (!Number.isFinite(typeof value === 'number' ? value : value.sum)) {
    result.rejected++;
    result.reasons.add(`a point of ${metric.name} has no finite value`);
    return;
  }
  result.points.push({ key, series, known, timeMs: timeNano / 1e6, value });
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
