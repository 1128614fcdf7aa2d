// Series identity in the OTLP decoder: the same labels give the same key whether the resource is absent or an empty
// Resource message (protocol buffers: a missing message field and an empty one hold the same values), and a
// HistogramDataPoint's attributes (field 9) sent with another wire type than a message are skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufWriter } from '../../test/helpers/protobuf-writer.js';
import { decodeOtlpProtobuf } from './otlp-protobuf.js';

const t0 = 1_700_000_000_123_000_000n;
const gauge = (w: ProtobufWriter) =>
  w.message(2, (sm) =>
    sm.message(2, (m) => m.string(1, 'g').message(5, (g) => g.message(1, (p) => p.fixed64(3, t0).double(4, 1)))),
  );

test('OTLP protobuf: no Resource and an empty Resource key a series alike', () => {
  const absent = decodeOtlpProtobuf(new ProtobufWriter().message(1, (rm) => gauge(rm)).finish());
  const empty = decodeOtlpProtobuf(new ProtobufWriter().message(1, (rm) => gauge(rm.message(1, () => {}))).finish());
  assert.equal(absent.points.length, 1);
  assert.equal(absent.points[0]!.key, empty.points[0]!.key);
});

test('OTLP protobuf: histogram point attributes that are no message are skipped', () => {
  const body = new ProtobufWriter()
    .message(1, (rm) =>
      rm.message(2, (sm) =>
        sm.message(2, (m) =>
          m
            .string(1, 'h')
            .message(9, (h) => h.message(1, (p) => p.varint(9, 3).fixed64(3, t0).fixed64(4, 1n).double(5, 2))),
        ),
      ),
    )
    .finish();
  const [point] = decodeOtlpProtobuf(body).points;
  assert.deepEqual(point!.series!.labels, {});
  assert.deepEqual(point!.value, { count: 1, sum: 2, bounds: [], counts: [1] });
});
