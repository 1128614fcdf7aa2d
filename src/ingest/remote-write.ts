/**
 * Prometheus remote-write 1.0 (`prometheus.WriteRequest`, remote.proto and types.proto): decoded in two passes, so
 * that a malformed body is refused before a single sample reaches a window (a 400 with nothing stored). The first
 * pass checks the whole message and finds each series by the bytes of its labels, which are its identity: a
 * series seen before costs a map lookup, and only a new one has its labels decoded.
 * @module
 */
import { ProtobufError, ProtobufReader, wireType, expectWireType } from './protobuf-reader.js';
import type { IngestTransaction, PushedSeries } from './ingest-pipeline.js';
import type { SeriesDescription } from './compile-ingest-rules.js';
import { countSample, noOutcomes, type SampleOutcomes } from './sample-outcomes.js';

/** Prometheus' stale marker is the NaN 0x7ff0000000000002 (model/value/value.go StaleNaN). */
const staleHigh = 0x7ff00000;
const staleLow = 0x00000002;

const tagLabels = (1 << 3) | wireType.bytes;
const tagSamples = (2 << 3) | wireType.bytes;
const tagSampleValue = (1 << 3) | wireType.fixed64;
const tagSampleTimestamp = (2 << 3) | wireType.varint;

/** Ingests one decompressed WriteRequest; throws ProtobufError for a malformed one, having taken no sample. */
export function ingestWriteRequest(bytes: Uint8Array, tx: IngestTransaction): SampleOutcomes {
  const outcomes = noOutcomes();
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const handles: PushedSeries[] = [];
  /** Per sample: the index of its series in `handles`, -1 for a stale marker's series index + 1 negated. */
  const owners: number[] = [];
  const times: number[] = [];
  const values: number[] = [];
  const reader = new ProtobufReader(bytes);
  while (!reader.done) {
    const tag = reader.tag();
    if (tag >>> 3 !== 1) {
      reader.skip(tag);
      continue;
    }
    expectWireType(tag, wireType.bytes);
    const end = reader.lengthEnd();
    const handle = readTimeSeries(reader, end, buffer, tx, handles.length, owners, times, values, outcomes);
    if (handle !== undefined) handles.push(handle);
    reader.pos = end;
  }
  for (let i = 0; i < owners.length; i++) {
    const owner = owners[i]!;
    if (owner < 0) {
      tx.stale(handles[-owner - 1]!);
      continue;
    }
    const value = values[i]!;
    if (!Number.isFinite(value)) outcomes.rejected++;
    else countSample(outcomes, handles[owner]!, tx.sample(handles[owner]!, times[i]!, value));
  }
  return outcomes;
}

function readTimeSeries(
  reader: ProtobufReader,
  end: number,
  buffer: Buffer,
  tx: IngestTransaction,
  index: number,
  owners: number[],
  times: number[],
  values: number[],
  outcomes: SampleOutcomes,
): PushedSeries | undefined {
  // NB: one reader for the whole request, its `end` narrowed to each embedded message and put back: a reader per
  // sample was a third of the decoding time.
  const body = reader;
  const outerEnd = body.end;
  body.end = end;
  // NB: the key is the labels' bytes as sent (tags and lengths included, so two label sets never share one). Senders
  // write the labels in one run, which becomes one flat string; a key built from a piece per label is a chain of
  // strings that every lookup first flattens (a third of the time a known series cost).
  let keyHead = '';
  let runStart = -1;
  let runEnd = -1;
  let labelSpans: number[] | undefined;
  const firstSample = owners.length;
  while (!body.done) {
    const at = body.pos;
    const tag = body.tag();
    if (tag === tagLabels) {
      const labelEnd = body.lengthEnd();
      if (at !== runEnd) {
        if (runStart >= 0) keyHead += buffer.toString('latin1', runStart, runEnd);
        runStart = at;
      }
      runEnd = labelEnd;
      (labelSpans ??= []).push(body.pos, labelEnd);
      body.pos = labelEnd;
    } else if (tag === tagSamples) {
      const sampleEnd = body.lengthEnd();
      let value = Number.NaN;
      let timestamp = 0;
      let stale = false;
      const sample = body;
      const seriesEnd = body.end;
      sample.end = sampleEnd;
      while (!sample.done) {
        const sampleTag = sample.tag();
        if (sampleTag === tagSampleValue) {
          const high = sample.peekHigh32();
          const lowAt = sample.pos;
          value = sample.double();
          stale = Number.isNaN(value) && high === staleHigh && buffer.readUInt32LE(lowAt) === staleLow;
        } else if (sampleTag === tagSampleTimestamp) {
          timestamp = sample.varint64();
        } else {
          sample.skip(sampleTag);
        }
      }
      body.end = seriesEnd;
      body.pos = sampleEnd;
      owners.push(stale ? -index - 1 : index);
      times.push(timestamp);
      values.push(value);
    } else {
      body.skip(tag);
    }
  }
  body.end = outerEnd;
  if (labelSpans === undefined) {
    // NB: a series without labels has no name; its samples are counted and dropped.
    outcomes.rejected += owners.length - firstSample;
    owners.length = firstSample;
    times.length = firstSample;
    values.length = firstSample;
    return undefined;
  }
  const spans = labelSpans;
  const key = keyHead + buffer.toString('latin1', runStart, runEnd);
  return tx.series(key, () => describeSeries(reader.bytes, spans));
}

function describeSeries(bytes: Uint8Array, spans: readonly number[]): SeriesDescription {
  let name = '';
  const labels: Record<string, string> = {};
  for (let i = 0; i < spans.length; i += 2) {
    const label = new ProtobufReader(bytes, spans[i]!, spans[i + 1]!);
    let labelName = '';
    let labelValue = '';
    while (!label.done) {
      const tag = label.tag();
      if (tag >>> 3 === 1) labelName = label.string();
      else if (tag >>> 3 === 2) labelValue = label.string();
      else label.skip(tag);
    }
    if (labelName === '__name__') name = labelValue;
    else if (labelName !== '' && labelValue !== '') labels[labelName] = labelValue;
  }
  if (name === '') throw new ProtobufError('a series has no __name__ label');
  return { name, labels };
}
