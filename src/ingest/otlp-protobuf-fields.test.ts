// How the OTLP decoder reads fields it does not serve, following the protocol-buffers encoding guide (fields come in
// any order, an unknown field is skipped, a missing one has its default: '' for a string, false for a bool) and the
// field numbers of opentelemetry/proto: Resource { attributes = 1; entity_refs = 3 }, ScopeMetrics { scope = 1;
// metrics = 2; schema_url = 3 }, Metric { name = 1; description = 2; unit = 3; gauge = 5; sum = 7; histogram = 9;
// exponential_histogram = 10; summary = 11; metadata = 12 }, Sum { data_points = 1; aggregation_temporality = 2;
// is_monotonic = 3 }, NumberDataPoint { attributes = 7; time_unix_nano = 3; as_double = 4 },
// HistogramDataPoint { attributes = 9; count = 4; sum = 5; flags = 10; min = 11; max = 12 }, KeyValue { key = 1;
// value = 2 }. A field sent with another wire type than its schema's is read as an unknown field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufWriter } from '../../test/helpers/protobuf-writer.js';
import type { OtlpPoint } from './otlp-points.js';
import { decodeOtlpProtobuf, encodeOtlpResponse } from './otlp-protobuf.js';

type Build = (w: ProtobufWriter) => void;
const t0 = 1_700_000_000_123_000_000n;
const t0Ms = 1_700_000_000_123;

const str =
  (key: string, text: string): Build =>
  (w) =>
    w.string(1, key).message(2, (v) => v.string(1, text));
const point: Build = (p) => p.fixed64(3, t0).double(4, 2);
/** Points without their keys (the series' identity, checked in otlp-protobuf.test.ts). */
const unkeyed = (points: readonly OtlpPoint[]) => points.map(({ key: _, known: __, ...rest }) => rest);

/** ExportMetricsServiceRequest { ResourceMetrics { Resource; ScopeMetrics } } built field by field. */
function request(resource: Build, scope: Build): Uint8Array {
  return new ProtobufWriter().message(1, (rm) => rm.message(1, resource).message(2, scope)).finish();
}
const noResource: Build = () => {};
const metrics =
  (...each: Build[]): Build =>
  (sm) => {
    for (const m of each) sm.message(2, m);
  };

test('OTLP protobuf: a Metric`s fields come in any order; description, unit and metadata are not its data', () => {
  const body = request(
    noResource,
    metrics((m) =>
      m
        .message(5, (g) => g.message(1, point))
        .string(1, 'late')
        .string(2, 'a description')
        .string(3, 'ms')
        .message(12, str('k', 'v')),
    ),
  );
  assert.deepEqual(unkeyed(decodeOtlpProtobuf(body).points), [
    { series: { name: 'late', labels: {}, kind: 'gauge' }, timeMs: t0Ms, value: 2 },
  ]);
});

test('OTLP protobuf: a Metric without a name has the empty name; a name that is not UTF-8 is an error', () => {
  const decoded = decodeOtlpProtobuf(
    request(
      noResource,
      metrics((m) => m.message(11, (s) => s.message(1, point))),
    ),
  );
  assert.deepEqual([...decoded.reasons], ['summaries are not served ()']);
  const badName = request(
    noResource,
    metrics((m) => m.bytes(1, Uint8Array.from([0x6d, 0xff])).message(5, (g) => g.message(1, point))),
  );
  // NB: the push receivers' decoding() answers a TypeError with a 400.
  assert.throws(() => decodeOtlpProtobuf(badName), TypeError);
});

test('OTLP protobuf: an exponential histogram or summary is refused per data point, not per field', () => {
  const body = request(
    noResource,
    metrics((m) =>
      m.string(1, 'e').message(10, (h) =>
        h
          .message(1, point)
          .varint(2, 2)
          .message(15, (x) => x.string(1, 'unknown'))
          .message(1, point),
      ),
    ),
  );
  assert.equal(decodeOtlpProtobuf(body).rejected, 2);
});

test('OTLP protobuf: is_monotonic is a Sum`s field 3 as a varint, false when absent', () => {
  const kinds = (data: Build[]) =>
    decodeOtlpProtobuf(request(noResource, metrics(...data))).points.map((p) => [p.series!.name, p.series!.kind]);
  assert.deepEqual(
    kinds([
      (m) => m.string(1, 'absent').message(7, (s) => s.message(1, point).varint(2, 2)),
      (m) => m.string(1, 'unknown4').message(7, (s) => s.message(1, point).varint(2, 2).varint(4, 1)),
      (m) => m.string(1, 'fixed').message(7, (s) => s.message(1, point).varint(2, 2).fixed64(3, 1n)),
      (m) => m.string(1, 'gauge3').message(5, (g) => g.message(1, point).varint(3, 1)),
      (m) => m.string(1, 'mono').message(7, (s) => s.message(1, point).varint(2, 2).varint(3, 1)),
    ]),
    [
      ['absent', 'gauge'],
      ['unknown4', 'gauge'],
      ['fixed', 'gauge'],
      ['gauge3', 'gauge'],
      ['mono_total', 'counter'],
    ],
  );
});

test('OTLP protobuf: only field 1 as a message is a data point; a temporality that is no varint is skipped', () => {
  const body = request(
    noResource,
    metrics(
      (m) =>
        m.string(1, 'g').message(5, (g) =>
          g
            .message(15, (x) => x.fixed64(3, t0).double(4, 9))
            .varint(1, 5)
            .message(1, point),
        ),
      (m) => m.string(1, 'd').message(7, (s) => s.message(1, point).bytes(2, Uint8Array.of(1)).varint(3, 1)),
    ),
  );
  assert.deepEqual(
    decodeOtlpProtobuf(body).points.map((p) => [p.series, p.value]),
    [
      [{ name: 'g', labels: {}, kind: 'gauge' }, 2],
      [{ name: 'd_total', labels: {}, kind: 'counter' }, 2],
    ],
  );
});

test('OTLP protobuf: KeyValues without a key, or with mistyped or unknown fields', () => {
  const body = request(
    noResource,
    metrics((m) =>
      m.string(1, 'g').message(5, (g) =>
        g.message(1, (p) =>
          p
            .varint(7, 1)
            .message(7, (kv) => kv.message(2, (v) => v.string(1, 'no key')))
            .message(7, (kv) =>
              kv
                .varint(1, 3)
                .string(1, 'k')
                .message(2, (v) => v.string(1, 'v')),
            )
            .message(7, (kv) =>
              kv
                .string(1, 'late')
                .message(2, (v) => v.string(1, 'w'))
                .string(3, 'junk'),
            )
            .message(7, (kv) => kv.string(1, 'novalue').varint(2, 1))
            .fixed64(3, t0)
            .double(4, 1),
        ),
      ),
    ),
  );
  assert.deepEqual(decodeOtlpProtobuf(body).points[0]!.series!.labels, { k: 'v', late: 'w' });
});

test('OTLP protobuf: resource attributes are field 1 only; a scope`s schema_url is not a metric', () => {
  const resource: Build = (r) =>
    r.message(1, str('service.name', 'shop')).message(3, (ref) => ref.string(2, 'service').string(3, 'service.name'));
  const scope: Build = (sm) =>
    sm
      .message(1, (s) => s.string(1, 'my.scope'))
      .message(2, (m) => m.string(1, 'g').message(5, (g) => g.message(1, point)))
      .string(3, 'https://opentelemetry.io/schemas/1.24.0');
  assert.deepEqual(unkeyed(decodeOtlpProtobuf(request(resource, scope)).points), [
    { series: { name: 'g', labels: { 'service.name': 'shop' }, kind: 'gauge' }, timeMs: t0Ms, value: 2 },
  ]);
});

test('OTLP protobuf: histogram points take resource attributes, "no recorded value", and need a sum to have a count', () => {
  const body = request(
    (r) => r.message(1, str('service.name', 'shop')),
    metrics((m) =>
      m.string(1, 'h').message(9, (h) =>
        h
          .message(1, (p) =>
            p.message(9, str('route', '/a')).fixed64(3, t0).fixed64(4, 2n).double(5, 3).double(11, 1).double(12, 2),
          )
          .message(1, (p) => p.fixed64(3, t0).varint(10, 1))
          .message(1, (p) => p.fixed64(3, t0).fixed64(4, 3n)),
      ),
    ),
  );
  const decoded = decodeOtlpProtobuf(body);
  assert.deepEqual(
    decoded.points.map((p) => [p.series!.labels, p.value]),
    [
      [
        { 'service.name': 'shop', route: '/a' },
        { count: 2, sum: 3, bounds: [], counts: [2] },
      ],
      [{ 'service.name': 'shop' }, undefined],
    ],
  );
  assert.equal(decoded.rejected, 1);
  assert.deepEqual([...decoded.reasons], ['a point of h has no finite value']);
});

test('OTLP protobuf: the response`s varints carry from 128 on', () => {
  assert.deepEqual([...encodeOtlpResponse(127, '')], [0x0a, 0x02, 0x08, 0x7f]);
  assert.deepEqual([...encodeOtlpResponse(128, '')], [0x0a, 0x03, 0x08, 0x80, 0x01]);
});
