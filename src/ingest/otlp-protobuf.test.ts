// Field numbers from opentelemetry/proto metrics/v1/metrics.proto, common/v1/common.proto and
// collector/metrics/v1/metrics_service.proto; expected names from the OpenTelemetry Prometheus translation the
// decoder documents (otlp-points.ts prometheusName).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtobufWriter } from '../../test/helpers/protobuf-writer.js';
import type { OtlpPoint } from './otlp-points.js';
import { decodeOtlpProtobuf, encodeOtlpResponse } from './otlp-protobuf.js';
import { ProtobufError } from './protobuf-reader.js';

type Build = (w: ProtobufWriter) => void;
const t0 = 1_700_000_000_123_000_000n;
const t0Ms = 1_700_000_000_123;

/** A KeyValue whose AnyValue is built by `value`. */
const kv =
  (key: string, value: Build): Build =>
  (w) =>
    w.string(1, key).message(2, value);
const str = (key: string, text: string) => kv(key, (v) => v.string(1, text));

/** ExportMetricsServiceRequest with one ResourceMetrics: resource attributes and one scope of metrics. */
function request(resource: Build[], metrics: Build[], resourceLast = false): Uint8Array {
  return new ProtobufWriter()
    .message(1, (rm) => {
      const res = () =>
        rm.message(1, (r) => {
          for (const a of resource) r.message(1, a);
        });
      if (!resourceLast) res();
      rm.message(2, (sm) => {
        sm.message(1, (scope) => scope.string(1, 'my.scope'));
        for (const m of metrics) sm.message(2, m);
      });
      if (resourceLast) res();
    })
    .finish();
}

/** Points without their keys, which the key test checks on its own. */
const unkeyed = (points: readonly OtlpPoint[]) => points.map(({ key: _, known: __, ...rest }) => rest);

const metric =
  (name: string, field: number, data: Build): Build =>
  (m) =>
    m.string(1, name).string(2, 'a description').string(3, 'ms').message(field, data);

test('OTLP protobuf: a gauge point with resource and point attributes, the name in Prometheus form', () => {
  for (const resourceLast of [false, true]) {
    const body = request(
      [str('service.name', 'shop'), str('region', 'eu')],
      [
        metric('http.server.active-requests', 5, (g) =>
          g.message(1, (p) =>
            p.fixed64(3, t0).double(4, 2.5).message(7, str('region', 'us')).message(7, str('route', '/a')),
          ),
        ),
      ],
      resourceLast,
    );
    const decoded = decodeOtlpProtobuf(body);
    assert.deepEqual(unkeyed(decoded.points), [
      {
        series: {
          name: 'http_server_active_requests',
          labels: { 'service.name': 'shop', region: 'us', route: '/a' },
          kind: 'gauge',
        },
        timeMs: t0Ms,
        value: 2.5,
      },
    ]);
    assert.equal(decoded.rejected, 0);
    assert.deepEqual([...decoded.reasons], []);
  }
});

test('OTLP protobuf: sums are counters when monotonic, delta when their temporality says so', () => {
  const point: Build = (p) => p.fixed64(3, t0).fixed64(6, 42n);
  const body = request(
    [],
    [
      metric('requests', 7, (s) => s.message(1, point).varint(2, 2).varint(3, 1)),
      metric('sent_total', 7, (s) => s.message(1, point).varint(2, 1).varint(3, 1)),
      metric('queue', 7, (s) => s.message(1, point).varint(2, 1).varint(3, 0)),
      metric('9lives', 5, (g) => g.message(1, point)),
    ],
  );
  const points = decodeOtlpProtobuf(body).points;
  assert.deepEqual(
    points.map((p) => [p.series, p.value]),
    [
      [{ name: 'requests_total', labels: {}, kind: 'counter' }, 42],
      [{ name: 'sent_total', labels: {}, kind: 'counter', delta: true }, 42],
      [{ name: 'queue', labels: {}, kind: 'gauge' }, 42],
      [{ name: '_9lives', labels: {}, kind: 'gauge' }, 42],
    ],
  );
});

test('OTLP protobuf: attribute values of each scalar kind become label text; empty keys and values are left out', () => {
  const body = request(
    [],
    [
      metric('m', 5, (g) =>
        g.message(1, (p) =>
          p
            .message(
              7,
              kv('yes', (v) => v.varint(2, 1)),
            )
            .message(
              7,
              kv('no', (v) => v.varint(2, 0)),
            )
            .message(
              7,
              kv('int', (v) => v.varint(3, 7)),
            )
            .message(
              7,
              kv('dbl', (v) => v.double(4, 1.5)),
            )
            .message(
              7,
              kv('blank', (v) => v.string(1, '')),
            )
            .message(
              7,
              kv('list', (v) => v.message(5, (a) => a.message(1, (x) => x.string(1, 'a')))),
            )
            .message(7, str('', 'no key'))
            .message(7, (w) => w.string(1, 'unset'))
            .fixed64(3, t0)
            .double(4, 1),
        ),
      ),
    ],
  );
  assert.deepEqual(decodeOtlpProtobuf(body).points[0]!.series!.labels, {
    yes: 'true',
    no: 'false',
    int: '7',
    dbl: '1.5',
  });
});

test('OTLP protobuf: a point flagged "no recorded value" ends its series; a NaN point is refused', () => {
  const body = request(
    [],
    [
      metric('gone', 5, (g) => g.message(1, (p) => p.fixed64(3, t0).varint(8, 1))),
      metric('odd', 5, (g) => g.message(1, (p) => p.fixed64(3, t0).double(4, Number.NaN))),
      metric('unset', 5, (g) => g.message(1, (p) => p.fixed64(3, t0))),
      metric('flag2', 5, (g) => g.message(1, (p) => p.fixed64(3, t0).double(4, 3).varint(8, 2))),
    ],
  );
  const decoded = decodeOtlpProtobuf(body);
  assert.deepEqual(
    decoded.points.map((p) => [p.series!.name, p.timeMs, p.value]),
    [
      ['gone', t0Ms, undefined],
      ['flag2', t0Ms, 3],
    ],
  );
  assert.equal(decoded.rejected, 2);
  assert.deepEqual(
    [...decoded.reasons],
    ['a point of odd has no finite value', 'a point of unset has no finite value'],
  );
});

test('OTLP protobuf: histogram points with bucket counts one more than their bounds, packed or not', () => {
  const body = request(
    [],
    [
      metric('latency', 9, (h) =>
        h
          .varint(2, 2)
          .message(1, (p) =>
            p
              .fixed64(3, t0)
              .fixed64(4, 6n)
              .double(5, 12.5)
              .bytes(6, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]))
              .double(7, 0.5)
              .double(7, 1)
              .message(9, str('le', 'x')),
          )
          .message(1, (p) => p.fixed64(3, t0).fixed64(4, 2n).double(5, 1).fixed64(6, 2n).double(7, 0.5))
          .message(1, (p) => p.fixed64(3, t0).fixed64(4, 4n).double(5, 8)),
      ),
    ],
  );
  const decoded = decodeOtlpProtobuf(body);
  assert.deepEqual(
    decoded.points.map((p) => [p.series, p.value]),
    [
      [
        { name: 'latency', labels: { le: 'x' }, kind: 'histogram' },
        { count: 6, sum: 12.5, bounds: [0.5, 1], counts: [1, 2, 3] },
      ],
      [
        { name: 'latency', labels: {}, kind: 'histogram' },
        { count: 4, sum: 8, bounds: [], counts: [4] },
      ],
    ],
  );
  assert.equal(decoded.rejected, 1);
  assert.deepEqual([...decoded.reasons], ['a histogram point of latency has 1 bucket counts for 1 bounds']);
});

test('OTLP protobuf: a delta histogram is marked delta; one with no sum is kept when it has no observations', () => {
  const body = request(
    [],
    [
      metric('d', 9, (h) => h.varint(2, 1).message(1, (p) => p.fixed64(3, t0))),
      metric('nosum', 9, (h) => h.varint(2, 1).message(1, (p) => p.fixed64(3, t0).fixed64(4, 3n))),
      metric('infsum', 9, (h) => h.message(1, (p) => p.fixed64(3, t0).double(5, Number.POSITIVE_INFINITY))),
    ],
  );
  const decoded = decodeOtlpProtobuf(body);
  assert.deepEqual(unkeyed(decoded.points), [
    {
      series: { name: 'd', labels: {}, kind: 'histogram', delta: true },
      timeMs: t0Ms,
      value: { count: 0, sum: 0, bounds: [], counts: [0] },
    },
  ]);
  assert.equal(decoded.rejected, 2, 'a sum missing beside observations, and an infinite one even with none');
  assert.deepEqual(
    [...decoded.reasons],
    ['a point of nosum has no finite value', 'a point of infsum has no finite value'],
  );
});

test('OTLP protobuf: exponential histograms and summaries are refused per point, with the reason', () => {
  const point: Build = (p) => p.fixed64(3, t0);
  const body = request(
    [],
    [metric('e', 10, (h) => h.message(1, point).message(1, point)), metric('s', 11, (h) => h.message(1, point))],
  );
  const decoded = decodeOtlpProtobuf(body);
  assert.deepEqual(decoded.points, []);
  assert.equal(decoded.rejected, 3);
  assert.deepEqual([...decoded.reasons], ['exponential histograms are not served (e)', 'summaries are not served (s)']);
});

test('OTLP protobuf: unknown fields are skipped at every level; a metric without data adds nothing', () => {
  const body = new ProtobufWriter()
    .varint(15, 1)
    .message(1, (rm) =>
      rm.string(3, 'https://schema').message(2, (sm) =>
        sm
          .varint(9, 1)
          .message(2, (m) => m.string(1, 'empty'))
          .message(2, (m) =>
            m
              .fixed64(12, 1n)
              .string(1, 'g')
              .message(5, (g) => g.varint(4, 1).message(1, (p) => p.fixed64(3, t0).fixed64(2, 1n).double(4, 1))),
          ),
      ),
    )
    .finish();
  assert.deepEqual(
    decodeOtlpProtobuf(body).points.map((p) => [p.series!.name, p.value]),
    [['g', 1]],
  );
});

test('OTLP protobuf: a truncated or malformed body is a ProtobufError', () => {
  const body = request([], [metric('g', 5, (g) => g.message(1, (p) => p.fixed64(3, t0).double(4, 1)))]);
  assert.throws(() => decodeOtlpProtobuf(body.subarray(0, body.length - 3)), ProtobufError);
  assert.throws(() => decodeOtlpProtobuf(Uint8Array.from([0x0a, 0x02, 0x12, 0x05])), ProtobufError);
  assert.throws(() => decodeOtlpProtobuf(Uint8Array.from([0x00])), ProtobufError);
  assert.deepEqual(decodeOtlpProtobuf(new Uint8Array(0)).points, []);
});

test('OTLP protobuf: the response is empty on full success, else partial_success', () => {
  assert.equal(encodeOtlpResponse(0, '').length, 0);
  assert.deepEqual([...encodeOtlpResponse(3, 'x')], [0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 0x78]);
  assert.deepEqual([...encodeOtlpResponse(300, '')], [0x0a, 0x03, 0x08, 0xac, 0x02]);
  assert.deepEqual([...encodeOtlpResponse(0, 'no')], [0x0a, 0x04, 0x12, 0x02, 0x6e, 0x6f]);
});

// NB: as_int is an sfixed64 and int attributes an int64 varint: both two's complement.
test('OTLP protobuf: negative integers', () => {
  const body = request(
    [],
    [
      metric('t', 5, (g) =>
        g.message(1, (p) =>
          p
            .fixed64(3, t0)
            .fixed64(6, -5n)
            .message(
              7,
              kv('k', (v) => v.varint(3, -1)),
            ),
        ),
      ),
    ],
  );
  const [point] = decodeOtlpProtobuf(body).points;
  assert.equal(point!.value, -5);
  assert.deepEqual(point!.series!.labels, { k: '-1' });
});

test('OTLP protobuf: a series is keyed by its bytes; a known key is not described again', () => {
  const gauge = (resource: string, name: string, attributes: [string, string][]) =>
    request(
      [str('service.name', resource)],
      [
        metric(name, 5, (g) =>
          g.message(1, (p) => {
            p.fixed64(3, t0).double(4, 1);
            for (const [k, v] of attributes) p.message(7, str(k, v));
          }),
        ),
      ],
    );
  const keyOf = (body: Uint8Array) => decodeOtlpProtobuf(body).points[0]!.key;
  const base = keyOf(gauge('shop', 'm', [['pod', 'a']]));
  assert.equal(keyOf(gauge('shop', 'm', [['pod', 'a']])), base, 'the same bytes, the same key');
  const others = [
    gauge('shop', 'm', [['pod', 'b']]),
    gauge('shop2', 'm', [['pod', 'a']]),
    gauge('shop', 'n', [['pod', 'a']]),
    gauge('shop', 'm', [
      ['pod', 'a'],
      ['x', 'y'],
    ]),
    gauge('shop', 'm', []),
  ].map(keyOf);
  assert.equal(new Set([base, ...others]).size, 6, 'every other series has a key of its own');

  const asked: string[] = [];
  const pipelineSeries = { key: base, outputs: [], lastSeenMs: 0 };
  const find = (key: string) => (key === base ? pipelineSeries : undefined);
  const known = decodeOtlpProtobuf(gauge('shop', 'm', [['pod', 'a']]), (key) => {
    asked.push(key);
    return find(key);
  });
  assert.deepEqual(asked, [base]);
  assert.equal(known.points[0]!.series, undefined, 'a known series is not decoded again');
  assert.equal(known.points[0]!.known, pipelineSeries, 'it comes with the series the pipeline found');
  assert.equal(known.points[0]!.value, 1);
  const fresh = decodeOtlpProtobuf(gauge('shop', 'm', [['pod', 'b']]), find).points[0]!;
  assert.deepEqual(fresh.series, { name: 'm', labels: { 'service.name': 'shop', pod: 'b' }, kind: 'gauge' });
  assert.equal(fresh.known, undefined);
});

test('OTLP protobuf: a new series with a malformed attribute is a ProtobufError while decoding', () => {
  const body = request(
    [],
    [
      metric('m', 5, (g) =>
        g.message(1, (p) =>
          p
            .fixed64(3, t0)
            .double(4, 1)
            .message(7, (a) => a.bytes(1, Uint8Array.of(0xff))),
        ),
      ),
    ],
  );
  assert.throws(() => decodeOtlpProtobuf(body), ProtobufError);
});
