import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufWriter } from '../../test/helpers/protobuf-writer.js';
import type { IngestTransaction, PushedSeries } from './ingest-pipeline.js';
import { ingestWriteRequest } from './remote-write.js';

/** A transaction that records the keys it is asked for and the description of each new one. */
function recordingTransaction() {
  const series = new Map<string, PushedSeries>();
  const described: unknown[] = [];
  const samples: [string, number, number][] = [];
  const tx: IngestTransaction = {
    series(key, describe) {
      let known = series.get(key);
      if (known === undefined) {
        described.push(describe());
        known = { key, outputs: [], lastSeenMs: 0 };
        series.set(key, known);
      }
      return known;
    },
    seen: (known) => known,
    sample(known, timestampMs, value) {
      samples.push([known.key, timestampMs, value as number]);
      return true;
    },
    stale() {},
    commit: async () => {},
  };
  return { tx, series, described, samples };
}

const label = (name: string, value: string) => (l: ProtobufWriter) => l.string(1, name).string(2, value);
const sample = (value: number, timestampMs: number) => (s: ProtobufWriter) => s.double(1, value).varint(2, timestampMs);

test('remote-write: a series is one key whether its labels come in one run or between its samples', () => {
  const { tx, series, described, samples } = recordingTransaction();
  const together = new ProtobufWriter()
    .message(1, (ts) => ts.message(1, label('__name__', 'm')).message(1, label('pod', 'a')).message(2, sample(1, 1000)))
    .finish();
  const apart = new ProtobufWriter()
    .message(1, (ts) => ts.message(1, label('__name__', 'm')).message(2, sample(2, 2000)).message(1, label('pod', 'a')))
    .finish();
  const other = new ProtobufWriter()
    .message(1, (ts) => ts.message(1, label('__name__', 'm')).message(1, label('pod', 'b')).message(2, sample(3, 3000)))
    .finish();
  for (const body of [together, apart, other])
    assert.deepEqual(ingestWriteRequest(body, tx), { taken: 1, unused: 0, dropped: 0, rejected: 0 });
  assert.equal(series.size, 2, 'the first two bodies carry the same series');
  assert.deepEqual(described, [
    { name: 'm', labels: { pod: 'a' } },
    { name: 'm', labels: { pod: 'b' } },
  ]);
  const [a, b] = [...series.keys()];
  assert.deepEqual(samples, [
    [a, 1000, 1],
    [a, 2000, 2],
    [b, 3000, 3],
  ]);
});
