// OTLP/HTTP JSON (opentelemetry-proto's JSON mapping, docs/specification.md "JSON Protobuf Encoding"): lowerCamelCase
// keys, 64-bit integers as decimal strings or numbers, enums as integers, unknown fields ignored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../api/errors.js';
import { decodeOtlpJson } from './otlp-json.js';

const t0 = '1700000000123000000';
const t0Ms = 1_700_000_000_123;

function body(metrics: unknown[], resource: unknown[] = []): string {
  return JSON.stringify({
    resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 's' }, metrics }] }],
  });
}

/** A 400 whose message starts with `prefix` (the rest is zod's wording). */
function refused(text: string, prefix: string): void {
  assert.throws(
    () => decodeOtlpJson(text),
    (error: unknown) => {
      assert.ok(error instanceof StatusError);
      assert.equal(error.code, 400);
      assert.equal(error.reason, 'BadRequest');
      assert.ok(error.message.startsWith(prefix), error.message);
      return true;
    },
  );
}

test('OTLP JSON: gauge and sum points with resource and point attributes, names in Prometheus form', () => {
  const decoded = decodeOtlpJson(
    body(
      [
        {
          name: 'http.server.active-requests',
          unit: 'ms',
          gauge: {
            dataPoints: [
              {
                timeUnixNano: t0,
                asDouble: 2.5,
                attributes: [{ key: 'region', value: { stringValue: 'us' } }],
              },
            ],
          },
        },
        {
          name: 'requests',
          sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: t0, asInt: '42' }] },
        },
        {
          name: 'sent_total',
          sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: t0, asInt: 7 }] },
        },
        {
          name: 'queue',
          sum: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: Number(t0), asDouble: '1e2' }] },
        },
        {
          name: 'named',
          sum: {
            aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
            isMonotonic: true,
            dataPoints: [{ timeUnixNano: t0, asDouble: 1 }],
          },
        },
        { name: '9lives', gauge: { dataPoints: [{ timeUnixNano: t0, asInt: '-3' }] } },
      ],
      [
        { key: 'service.name', value: { stringValue: 'shop' } },
        { key: 'region', value: { stringValue: 'eu' } },
      ],
    ),
  );
  assert.deepEqual(
    decoded.points.map((p) => [p.series, p.timeMs, p.value]),
    [
      [
        { name: 'http_server_active_requests', labels: { 'service.name': 'shop', region: 'us' }, kind: 'gauge' },
        t0Ms,
        2.5,
      ],
      [{ name: 'requests_total', labels: { 'service.name': 'shop', region: 'eu' }, kind: 'counter' }, t0Ms, 42],
      [{ name: 'sent_total', labels: { 'service.name': 'shop', region: 'eu' }, kind: 'counter', delta: true }, t0Ms, 7],
      [{ name: 'queue', labels: { 'service.name': 'shop', region: 'eu' }, kind: 'gauge' }, t0Ms, 100],
      [
        { name: 'named_total', labels: { 'service.name': 'shop', region: 'eu' }, kind: 'counter', delta: true },
        t0Ms,
        1,
      ],
      [{ name: '_9lives', labels: { 'service.name': 'shop', region: 'eu' }, kind: 'gauge' }, t0Ms, -3],
    ],
  );
  assert.equal(decoded.rejected, 0);
});

test('OTLP JSON: attribute values of each scalar kind become label text; empty keys and values are left out', () => {
  const attributes = [
    { key: 'yes', value: { boolValue: true } },
    { key: 'no', value: { boolValue: false } },
    { key: 'int', value: { intValue: '-7' } },
    { key: 'dbl', value: { doubleValue: 1.5 } },
    { key: 'blank', value: { stringValue: '' } },
    { key: 'list', value: { arrayValue: { values: [] } } },
    { key: '', value: { stringValue: 'no key' } },
    { key: 'unset' },
  ];
  const [point] = decodeOtlpJson(body([{ name: 'm', gauge: { dataPoints: [{ attributes, asDouble: 1 }] } }])).points;
  assert.deepEqual(point!.series!.labels, { yes: 'true', no: 'false', int: '-7', dbl: '1.5' });
  assert.equal(point!.timeMs, 0);
});

test('OTLP JSON: "no recorded value" ends a series; a point without a finite value is refused', () => {
  const decoded = decodeOtlpJson(
    body([
      { name: 'gone', gauge: { dataPoints: [{ timeUnixNano: t0, flags: 1 }] } },
      { name: 'unset', gauge: { dataPoints: [{ timeUnixNano: t0 }] } },
      { name: 'flag2', gauge: { dataPoints: [{ timeUnixNano: t0, asDouble: 3, flags: 2 }] } },
      { name: 'hgone', histogram: { dataPoints: [{ timeUnixNano: t0, flags: 1, count: 1 }] } },
    ]),
  );
  assert.deepEqual(
    decoded.points.map((p) => [p.series!.name, p.timeMs, p.value]),
    [
      ['gone', t0Ms, undefined],
      ['flag2', t0Ms, 3],
      ['hgone', t0Ms, undefined],
    ],
  );
  assert.equal(decoded.rejected, 1);
  assert.deepEqual([...decoded.reasons], ['a point of unset has no finite value']);
});

test('OTLP JSON: histogram points need one bucket count more than bounds, or none', () => {
  const decoded = decodeOtlpJson(
    body([
      {
        name: 'latency',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: [
            { timeUnixNano: t0, count: '6', sum: 12.5, bucketCounts: ['1', 2, '3'], explicitBounds: [0.5, 1] },
            { timeUnixNano: t0, count: 2, sum: 1, bucketCounts: [2], explicitBounds: [0.5] },
            { timeUnixNano: t0, count: 4, sum: 8 },
            { timeUnixNano: t0 },
            { timeUnixNano: t0, count: 3, bucketCounts: [1, 2], explicitBounds: [0.5] },
          ],
        },
      },
      {
        name: 'cumulative',
        histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: t0, count: 1, sum: 2 }] },
      },
    ]),
  );
  assert.deepEqual(
    decoded.points.map((p) => [p.series, p.value]),
    [
      [
        { name: 'latency', labels: {}, kind: 'histogram', delta: true },
        { count: 6, sum: 12.5, bounds: [0.5, 1], counts: [1, 2, 3] },
      ],
      [
        { name: 'latency', labels: {}, kind: 'histogram', delta: true },
        { count: 4, sum: 8, bounds: [], counts: [4] },
      ],
      [
        { name: 'latency', labels: {}, kind: 'histogram', delta: true },
        { count: 0, sum: 0, bounds: [], counts: [0] },
      ],
      [
        { name: 'cumulative', labels: {}, kind: 'histogram' },
        { count: 1, sum: 2, bounds: [], counts: [1] },
      ],
    ],
  );
  assert.equal(decoded.rejected, 2);
  assert.deepEqual(
    [...decoded.reasons],
    ['a histogram point of latency has 1 bucket counts for 1 bounds', 'a point of latency has no finite value'],
  );
});

test('OTLP JSON: exponential histograms and summaries are refused per point; a metric without data adds nothing', () => {
  const decoded = decodeOtlpJson(
    body([
      { name: 'e', exponentialHistogram: { dataPoints: [{}, {}] } },
      { name: 's', summary: { dataPoints: [{}] } },
      { name: 'none', summary: {} },
      { name: 'empty' },
      { name: 'nopoints', gauge: {} },
    ]),
  );
  assert.deepEqual(decoded.points, []);
  assert.equal(decoded.rejected, 3);
  assert.deepEqual(
    [...decoded.reasons],
    ['exponential histograms are not served (e)', 'summaries are not served (s)', 'summaries are not served (none)'],
  );
});

test('OTLP JSON: empty requests and unknown fields', () => {
  assert.deepEqual(decodeOtlpJson('{}').points, []);
  assert.deepEqual(decodeOtlpJson('{"resourceMetrics":[{}],"extra":1}').points, []);
  assert.deepEqual(decodeOtlpJson('{"resourceMetrics":[{"scopeMetrics":[{}]}]}').points, []);
});

test('OTLP JSON: a body that is not JSON or not the schema is a 400 naming the first problem', () => {
  assert.throws(
    () => decodeOtlpJson('{'),
    (error: unknown) => {
      assert.ok(error instanceof StatusError);
      assert.equal(error.code, 400);
      assert.match(error.message, /^invalid JSON body: ./);
      return true;
    },
  );
  refused('[]', 'invalid OTLP metrics request at the top: ');
  refused(
    body([{ name: 'g', gauge: { dataPoints: [{ asInt: '1.5' }] } }]),
    'invalid OTLP metrics request at resourceMetrics.0.scopeMetrics.0.metrics.0.gauge.dataPoints.0.asInt: ',
  );
  refused(body([{ gauge: {} }]), 'invalid OTLP metrics request at resourceMetrics.0.scopeMetrics.0.metrics.0.name: ');
});
