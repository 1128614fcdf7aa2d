import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as encoders from './encode-metrics.js';
import type { CustomMetricValueSource, ExternalMetricValueSource } from './encode-metrics.js';
import type { ItemEncodings, LabelSelector } from './types.js';
import { goJson } from './json.js';
import { heldBytes, ItemArenas } from './item-arena.js';

/** The encoders return bytes; compare text, and check the bytes are the text's UTF-8 (latin1 only for ASCII). */
function encodeMetricValueList(...args: Parameters<typeof encoders.encodeMetricValueList>): string {
  const bytes = encoders.encodeMetricValueList(...args);
  assert.deepEqual(Buffer.from(bytes.toString('utf8')), bytes);
  return bytes.toString('utf8');
}
function encodeExternalMetricValueList(...args: Parameters<typeof encoders.encodeExternalMetricValueList>): string {
  return encoders.encodeExternalMetricValueList(...args).toString('utf8');
}

const at = Date.parse('2024-05-01T12:00:00Z');

/** Compacts a JSON example from the spec the way Go's encoder writes it. */
function compact(json: string): string {
  return `${JSON.stringify(JSON.parse(json))}\n`;
}

test('v1beta1 form B matches the spec example byte for byte', () => {
  const values: CustomMetricValueSource[] = ['web-7c9d-abcde', 'web-7c9d-fghij'].map((name, i) => ({
    describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: 'v1' },
    metric: { name: 'http_requests', selector: null },
    timestamp: at + 999,
    windowSeconds: 60,
    value: i === 0 ? '1500m' : '2',
  }));
  const expected =
    compact(`{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[
    {"describedObject":{"kind":"Pod","namespace":"default","name":"web-7c9d-abcde","apiVersion":"v1"},"metricName":"http_requests","timestamp":"2024-05-01T12:00:00Z","window":60,"value":"1500m","selector":null},
    {"describedObject":{"kind":"Pod","namespace":"default","name":"web-7c9d-fghij","apiVersion":"v1"},"metricName":"http_requests","timestamp":"2024-05-01T12:00:00Z","window":60,"value":"2","selector":null}]}`);
  assert.equal(encodeMetricValueList('v1beta1', values), expected);
});

test('v1beta2 form A carries metric.name and metric.selector, and no window when unknown', () => {
  const body = encodeMetricValueList('v1beta2', [
    {
      describedObject: { kind: 'Service', namespace: 'default', name: 'kubernetes', apiVersion: 'v1' },
      metric: { name: 'test-metric', selector: { matchLabels: { method: 'GET' } } },
      timestamp: at,
      value: '300m',
    },
  ]);
  assert.equal(
    body,
    compact(`{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},"items":[
    {"describedObject":{"kind":"Service","namespace":"default","name":"kubernetes","apiVersion":"v1"},
     "metric":{"name":"test-metric","selector":{"matchLabels":{"method":"GET"}}},"timestamp":"2024-05-01T12:00:00Z","value":"300m"}]}`),
  );
});

test('v1beta2 form E (namespace metric) omits describedObject.namespace', () => {
  const body = encodeMetricValueList('v1beta2', [
    {
      describedObject: { kind: 'Namespace', name: 'team-a', apiVersion: 'v1' },
      metric: { name: 'queue_length', selector: null },
      timestamp: at,
      value: '42',
    },
  ]);
  assert.equal(
    body,
    compact(`{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta2","metadata":{},
    "items":[{"describedObject":{"kind":"Namespace","name":"team-a","apiVersion":"v1"},
    "metric":{"name":"queue_length","selector":null},"timestamp":"2024-05-01T12:00:00Z","value":"42"}]}`),
  );
});

test('v1beta2 writes windowSeconds, v1beta1 writes window', () => {
  const value: CustomMetricValueSource = {
    describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
    metric: { name: 'm', selector: null },
    timestamp: at,
    windowSeconds: 30,
    value: '1',
  };
  assert.match(encodeMetricValueList('v1beta2', [value]), /"windowSeconds":30,/);
  assert.doesNotMatch(encodeMetricValueList('v1beta2', [value]), /"window":/);
  assert.match(encodeMetricValueList('v1beta1', [value]), /"window":30,/);
});

test('an empty list is written with items []', () => {
  assert.equal(
    encodeMetricValueList('v1beta1', []),
    '{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n',
  );
  assert.equal(
    encodeExternalMetricValueList([]),
    '{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n',
  );
});

test('mixed kinds and namespaces in one list each get their own describedObject', () => {
  const body = encodeMetricValueList('v1beta2', [
    {
      describedObject: { kind: 'Pod', namespace: 'a', name: 'p1', apiVersion: 'v1' },
      metric: { name: 'm', selector: null },
      timestamp: at,
      value: '1',
    },
    {
      describedObject: { kind: 'Deployment', namespace: 'b', name: 'd1', apiVersion: 'apps/v1' },
      metric: { name: 'm', selector: null },
      timestamp: at,
      value: '2',
    },
    {
      describedObject: { kind: 'Node', name: 'n1', apiVersion: 'v1' },
      metric: { name: 'm', selector: null },
      timestamp: at,
      value: '3',
    },
  ]);
  const items = (JSON.parse(body) as { items: { describedObject: unknown }[] }).items.map((i) => i.describedObject);
  assert.deepEqual(items, [
    { kind: 'Pod', namespace: 'a', name: 'p1', apiVersion: 'v1' },
    { kind: 'Deployment', namespace: 'b', name: 'd1', apiVersion: 'apps/v1' },
    { kind: 'Node', name: 'n1', apiVersion: 'v1' },
  ]);
});

test('selectors are written with sorted matchLabels, then matchExpressions, values omitted when empty', () => {
  const body = encodeMetricValueList('v1beta1', [
    {
      describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
      metric: {
        name: 'm',
        selector: {
          matchLabels: { z: '1', a: '2' },
          matchExpressions: [
            { key: 'k', operator: 'Exists' },
            { key: 'e', operator: 'In', values: ['x', 'y'] },
          ],
        },
      },
      timestamp: at,
      value: '1',
    },
  ]);
  assert.match(
    body,
    /"selector":\{"matchLabels":\{"a":"2","z":"1"\},"matchExpressions":\[\{"key":"k","operator":"Exists"\},\{"key":"e","operator":"In","values":\["x","y"\]\}\]\}\}/,
  );
});

test('strings are escaped as Go escapes them: <, >, & and U+2028', () => {
  const body = encodeMetricValueList('v1beta1', [
    {
      describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
      metric: { name: 'a<b>&c\u2028"', selector: null },
      timestamp: at,
      value: '1',
    },
  ]);
  assert.match(body, /"metricName":"a\\u003cb\\u003e\\u0026c\\u2028\\""/);
  assert.equal(goJson({ m: '<&>' }), '{"m":"\\u003c\\u0026\\u003e"}\n');
});

test('non-ASCII names are written as UTF-8, unescaped, as Go writes them', () => {
  const body = encodeMetricValueList('v1beta2', [
    {
      describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
      metric: { name: 'débit_€', selector: null },
      timestamp: at,
      value: '1',
    },
  ]);
  assert.match(body, /"name":"débit_€"/);
});

test('external items carry metricLabels always, sorted, and window when known', () => {
  const body = encodeExternalMetricValueList([
    {
      metricName: 'queue_messages_ready',
      metricLabels: { queue: 'worker', a: 'b' },
      timestamp: at,
      value: '95',
      windowSeconds: 60,
    },
    { metricName: 'queue_messages_ready', metricLabels: {}, timestamp: at, value: '5' },
  ]);
  assert.equal(
    body,
    compact(`{"kind":"ExternalMetricValueList","apiVersion":"external.metrics.k8s.io/v1beta1","metadata":{},"items":[
    {"metricName":"queue_messages_ready","metricLabels":{"a":"b","queue":"worker"},"timestamp":"2024-05-01T12:00:00Z","window":60,"value":"95"},
    {"metricName":"queue_messages_ready","metricLabels":{},"timestamp":"2024-05-01T12:00:00Z","value":"5"}]}`),
  );
});

test('empty matchLabels, matchExpressions and values are left out, as omitempty does', () => {
  const item = (selector: CustomMetricValueSource['metric']['selector']): CustomMetricValueSource => ({
    describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
    metric: { name: 'm', selector },
    timestamp: at,
    value: '1',
  });
  const selectors: LabelSelector[] = [
    { matchLabels: {} },
    { matchExpressions: [] },
    { matchExpressions: [{ key: 'k', operator: 'Exists', values: [] }] },
    { matchLabels: {}, matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] },
  ];
  const written = selectors.map(
    (s) => /"selector":(.*)\}\]\}\n$/.exec(encodeMetricValueList('v1beta1', [item(s)]))![1],
  );
  assert.deepEqual(written, [
    '{}',
    '{}',
    '{"matchExpressions":[{"key":"k","operator":"Exists"}]}',
    '{"matchExpressions":[{"key":"k","operator":"DoesNotExist"}]}',
  ]);
});

test('v1beta1 writes no window when it is unknown', () => {
  const body = encodeMetricValueList('v1beta1', [
    {
      describedObject: { kind: 'Pod', namespace: 'n', name: 'p', apiVersion: 'v1' },
      metric: { name: 'm', selector: null },
      timestamp: at,
      value: '1',
    },
  ]);
  assert.equal(body.includes('window'), false, body);
  assert.match(body, /"timestamp":"2024-05-01T12:00:00Z","value":"1","selector":null\}/);
});

test('consecutive objects of one kind in different namespaces each carry their own namespace', () => {
  const body = encodeMetricValueList(
    'v1beta2',
    ['a', 'b', 'b'].map((namespace, i) => ({
      describedObject: { kind: 'Pod', namespace, name: `p${i}`, apiVersion: 'v1' },
      metric: { name: 'm', selector: null },
      timestamp: at,
      value: '1',
    })),
  );
  const refs = [...body.matchAll(/"describedObject":(\{[^}]*\})/g)].map((m) => JSON.parse(m[1]!));
  assert.deepEqual(refs, [
    { kind: 'Pod', namespace: 'a', name: 'p0', apiVersion: 'v1' },
    { kind: 'Pod', namespace: 'b', name: 'p1', apiVersion: 'v1' },
    { kind: 'Pod', namespace: 'b', name: 'p2', apiVersion: 'v1' },
  ]);
});

test('values with encodings are encoded once per version; the assembled body is what fresh encoding gives', () => {
  const kept = (name: string, value: string) => ({
    describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: 'v1' },
    metric: { name: 'http_requests', selector: null },
    timestamp: at,
    value,
    encodings: {} as ItemEncodings,
  });
  const plain = ({ encodings: _, ...v }: CustomMetricValueSource): CustomMetricValueSource => v;
  const a = kept('web-a', '1');
  const b = kept('web-b', '2');
  // NB: a non-ASCII name (a library provider may serve any name) is UTF-8 in the assembled body too.
  const c = kept('wéb-c', '3');
  for (const version of ['v1beta1', 'v1beta2'] as const) {
    const expected = encodeMetricValueList(version, [a, b, c].map(plain));
    assert.equal(encodeMetricValueList(version, [a, b, c]), expected);
    assert.ok(a.encodings[version] && c.encodings[version], 'each value keeps its bytes');
    // The kept bytes are what is sent: changing them shows they are used.
    const keptA = a.encodings[version]!;
    a.encodings[version] = Buffer.from(keptA.toString().replace('web-a', 'web-z'));
    assert.equal(encodeMetricValueList(version, [a, b, c]), expected.replace('web-a', 'web-z'));
    a.encodings[version] = keptA;
    assert.equal(encodeMetricValueList(version, [plain(a), b, c]), expected, 'a list mixing in a plain value');
    assert.equal(encodeMetricValueList(version, [b]), encodeMetricValueList(version, [plain(b)]));
  }
  assert.notEqual(a.encodings.v1beta1, a.encodings.v1beta2);
});

test('a list whose items are held in arenas is assembled to the bytes fresh encoding gives, in either version', () => {
  const value = (name: string, v: string): CustomMetricValueSource => ({
    describedObject: { kind: 'Pod', namespace: 'default', name, apiVersion: 'v1' },
    metric: { name: 'http_requests', selector: null },
    timestamp: at,
    value: v,
  });
  const arenas = new ItemArenas();
  const held = (values: CustomMetricValueSource[], numbers: number[]) =>
    Object.defineProperty([...values], heldBytes, { value: { arenas, numbers, changes: arenas.changes } });
  const a = value('web-a', '1');
  const b = value('wéb-b', '2');
  const c = value('web-c', '3');
  for (const version of ['v1beta1', 'v1beta2'] as const) {
    const expected = encodeMetricValueList(version, [a, b, c]);
    assert.equal(encodeMetricValueList(version, held([a, b, c], [0, 1, 2])), expected, 'encoded and kept');
    assert.ok(arenas.of(version).has(1));
    assert.equal(encodeMetricValueList(version, held([a, b, c], [0, 1, 2])), expected, 'from the kept bytes');
    assert.equal(encodeMetricValueList(version, held([c, a], [2, 0])), encodeMetricValueList(version, [c, a]));
    assert.equal(encodeMetricValueList(version, held([], [])), encodeMetricValueList(version, []));
    // A list selected before a write (which drops the number's bytes) and encoded after it is encoded without the
    // arena: its old value's bytes are not kept for the number, so the new value's list is encoded afresh.
    const before = held([a, b], [0, 1]);
    arenas.drop(1);
    const b2 = value('wéb-b', '5');
    assert.equal(encodeMetricValueList(version, before), encodeMetricValueList(version, [a, b]));
    assert.equal(arenas.of(version).has(1), false, 'the old value left no bytes');
    assert.equal(encodeMetricValueList(version, held([a, b2], [0, 1])), encodeMetricValueList(version, [a, b2]));
    assert.ok(arenas.of(version).has(1));
    // Numbers that do not match the list (a list copied and grown) are not used.
    const grown = held([a, b2], [0, 1]);
    grown.push(c);
    assert.equal(encodeMetricValueList(version, grown), encodeMetricValueList(version, [a, b2, c]));
  }
  const pooled = encoders.encodeMetricValueList('v1beta2', held([a, c], [0, 2]), true);
  assert.equal(pooled.toString(), encodeMetricValueList('v1beta2', [a, c]));
});

test('an external list of values with encodings is assembled to the bytes fresh encoding gives', () => {
  const values: (ExternalMetricValueSource & { encodings: ItemEncodings })[] = [
    {
      metricName: 'queue',
      metricLabels: { q: 'b', a: 'x' },
      timestamp: at,
      value: '2',
      encodings: {},
    },
    { metricName: 'queue', metricLabels: { q: 'ü' }, timestamp: at, windowSeconds: 30, value: '3', encodings: {} },
  ];
  const plain: ExternalMetricValueSource[] = values.map(({ encodings: _, ...v }) => v);
  const expected = encodeExternalMetricValueList(plain);
  assert.equal(encodeExternalMetricValueList(values), expected);
  assert.ok(values[0]!.encodings.v1beta1, 'external items are kept under their API version, v1beta1');
  assert.equal(encodeExternalMetricValueList(values), expected);
  assert.equal(encodeExternalMetricValueList([values[0]!, plain[1]!]), expected);
});
