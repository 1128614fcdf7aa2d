// The shape an OTLP/HTTP JSON body must have (the protobuf JSON mapping, opentelemetry-proto docs/specification.md
// "JSON Protobuf Encoding"): numbers as JSON numbers or decimal strings, the AggregationTemporality enum by number or
// by name, and every message field of its own type. A field of the wrong type makes the whole request a 400.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../api/errors.js';
import { decodeOtlpJson } from './otlp-json.js';

const prefix = 'resourceMetrics.0.scopeMetrics.0.metrics.0';

function body(metrics: unknown[], resource: unknown = {}): string {
  return JSON.stringify({ resourceMetrics: [{ resource, scopeMetrics: [{ metrics }] }] });
}

function refusedAt(text: string, path: string): void {
  assert.throws(
    () => decodeOtlpJson(text),
    (error: unknown) => {
      assert.ok(error instanceof StatusError);
      assert.equal(error.code, 400);
      assert.ok(error.message.startsWith(`invalid OTLP metrics request at ${path}: `), error.message);
      return true;
    },
  );
}

const gauge = (asDouble: unknown) => body([{ name: 'g', gauge: { dataPoints: [{ asDouble }] } }]);

test('OTLP JSON: doubles as decimal strings, with fraction and exponent', () => {
  const values = ['-12.25', '1.5E+10', '2e10', '3e-2', '7'].map((text) => decodeOtlpJson(gauge(text)).points[0]!.value);
  assert.deepEqual(values, [-12.25, 1.5e10, 2e10, 0.03, 7]);
  for (const text of ['x1', '1x', '1.x5', '1e', '1e+', '--1'])
    refusedAt(gauge(text), `${prefix}.gauge.dataPoints.0.asDouble`);
});

test('OTLP JSON: a double string beyond the float range is a point without a finite value', () => {
  const decoded = decodeOtlpJson(gauge('1e400'));
  assert.deepEqual(decoded.points, []);
  assert.equal(decoded.rejected, 1);
  assert.deepEqual([...decoded.reasons], ['a point of g has no finite value']);
});

test('OTLP JSON: "NaN", "Infinity" and "-Infinity" are doubles; such a point is refused on its own', () => {
  const points = ['NaN', 'Infinity', '-Infinity', 2].map((asDouble, i) => ({ asDouble, timeUnixNano: String(i) }));
  const decoded = decodeOtlpJson(body([{ name: 'g', gauge: { dataPoints: points } }]));
  assert.deepEqual(
    decoded.points.map((p) => p.value),
    [2],
  );
  assert.equal(decoded.rejected, 3);
  assert.deepEqual([...decoded.reasons], ['a point of g has no finite value']);
  for (const text of ['nan', 'inf', '+Infinity', 'Infinity1'])
    refusedAt(gauge(text), `${prefix}.gauge.dataPoints.0.asDouble`);
});

test('OTLP JSON: a histogram point is refused when its sum is not finite, or missing beside observations', () => {
  const decoded = decodeOtlpJson(
    body([
      {
        name: 'h',
        histogram: {
          dataPoints: [
            { count: 0, sum: 'Infinity' },
            { count: 2, sum: 'NaN' },
            { count: 2 },
            { count: 0 },
            { count: 2, sum: 3 },
          ],
        },
      },
    ]),
  );
  assert.deepEqual(
    decoded.points.map((p) => p.value),
    [
      { count: 0, sum: 0, bounds: [], counts: [0] },
      { count: 2, sum: 3, bounds: [], counts: [2] },
    ],
  );
  assert.equal(decoded.rejected, 3);
});

test('OTLP JSON: aggregation temporality by name', () => {
  const sum = (aggregationTemporality: string) => ({
    name: aggregationTemporality.slice(24).toLowerCase(),
    sum: { aggregationTemporality, isMonotonic: true, dataPoints: [{ asInt: 1 }] },
  });
  const decoded = decodeOtlpJson(
    body([
      sum('AGGREGATION_TEMPORALITY_UNSPECIFIED'),
      sum('AGGREGATION_TEMPORALITY_CUMULATIVE'),
      sum('AGGREGATION_TEMPORALITY_DELTA'),
    ]),
  );
  assert.deepEqual(
    decoded.points.map((p) => p.series),
    [
      { name: 'unspecified_total', labels: {}, kind: 'counter' },
      { name: 'cumulative_total', labels: {}, kind: 'counter' },
      { name: 'delta_total', labels: {}, kind: 'counter', delta: true },
    ],
  );
  refusedAt(body([sum('AGGREGATION_TEMPORALITY_SOMETIMES')]), `${prefix}.sum.aggregationTemporality`);
});

test('OTLP JSON: attributes, resources and unserved types must still have the schema`s shape', () => {
  const attributes = (list: unknown) => body([{ name: 'g', gauge: { dataPoints: [{ attributes: list, asInt: 1 }] } }]);
  const at = `${prefix}.gauge.dataPoints.0.attributes.0`;
  refusedAt(attributes([{ key: 'k', value: { boolValue: 'yes' } }]), `${at}.value.boolValue`);
  refusedAt(attributes([{ key: 'k', value: { intValue: 'seven' } }]), `${at}.value.intValue`);
  refusedAt(attributes([{ key: 5, value: { stringValue: 'x' } }]), `${at}.key`);
  refusedAt(body([], { attributes: 'service.name=shop' }), 'resourceMetrics.0.resource.attributes');
  refusedAt(body([{ name: 's', summary: { dataPoints: 5 } }]), `${prefix}.summary.dataPoints`);
  refusedAt(
    body([{ name: 'e', exponentialHistogram: { dataPoints: 'x' } }]),
    `${prefix}.exponentialHistogram.dataPoints`,
  );
});

test('OTLP JSON: a histogram without data points adds nothing; a body that is no JSON keeps the parser`s error', () => {
  assert.deepEqual(decodeOtlpJson(body([{ name: 'h', histogram: {} }])), {
    points: [],
    rejected: 0,
    reasons: new Set(),
  });
  assert.throws(
    () => decodeOtlpJson('{'),
    (error: unknown) => error instanceof StatusError && error.cause instanceof SyntaxError,
  );
});
