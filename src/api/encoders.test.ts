/**
 * The bytes of Status bodies (spec §4), discovery documents (spec §3), Go's JSON escapes, Kubernetes name
 * rules and metav1.Time, each checked whole against the form the spec gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { badRequest, routeNotFound, StatusError } from './errors.js';
import {
  encodeAPIGroup,
  encodeAPIGroupList,
  encodeCustomResourceList,
  encodeExternalResourceList,
} from './encode-discovery.js';
import { encodeStatusError, encodeStatusSuccess, statusSuccessAround } from './encode-status.js';
import { goEscape, goJson, goPretty, goString } from './json.js';
import { dns1123LabelProblem, dns1123SubdomainProblem, metricNameProblem } from './names.js';
import { formatTimestamp } from './timestamp.js';

test('Status failure: Go field order, details only when set, trailing newline', () => {
  assert.equal(
    encodeStatusError(badRequest('bad <selector>')),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"bad \\u003cselector\\u003e","reason":"BadRequest","code":400}\n',
  );
  assert.equal(
    encodeStatusError(routeNotFound()),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n',
  );
  assert.equal(
    encodeStatusError(new StatusError(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 1 })),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"slow down","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}\n',
  );
});

test('Status success', () => {
  assert.equal(
    encodeStatusSuccess(201, 'stored 2 values'),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","message":"stored 2 values","code":201}\n',
  );
});

test('property: a Status success around a quantity is the Status success of the whole message', () => {
  const quantityText = fc.stringMatching(/^[-+0-9.eEkMGTPimnu]{0,20}$/);
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme' }),
      quantityText,
      fc.string({ unit: 'grapheme' }),
      fc.integer({ min: 200, max: 299 }),
      (head, part, tail, code) => {
        const { before, after } = statusSuccessAround(code, head, tail);
        assert.equal(before + part + after, encodeStatusSuccess(code, head + part + tail));
      },
    ),
  );
});

test('property: a Status success is the bytes goJson writes for the Status object', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 200, max: 299 }), (message, code) => {
      const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', message, code };
      assert.equal(encodeStatusSuccess(code, message), goJson(status));
    }),
  );
});

test('custom resource list: group.resource/metric, duplicates once, the placeholder when empty', () => {
  const body = encodeCustomResourceList('custom.metrics.k8s.io/v1beta2', [
    { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' },
    { groupResource: { group: 'apps', resource: 'deployments' }, namespaced: true, metric: 'queue_length' },
    { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' },
    { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'queue_length' },
  ]);
  assert.equal(
    body,
    `${JSON.stringify({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'custom.metrics.k8s.io/v1beta2',
      resources: [
        { name: 'pods/http_requests', singularName: '', namespaced: true, kind: 'MetricValueList', verbs: ['get'] },
        {
          name: 'deployments.apps/queue_length',
          singularName: '',
          namespaced: true,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
        {
          name: 'namespaces/queue_length',
          singularName: '',
          namespaced: false,
          kind: 'MetricValueList',
          verbs: ['get'],
        },
      ],
    })}\n`,
  );
  assert.equal(
    encodeCustomResourceList('custom.metrics.k8s.io/v1beta1', []),
    '{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"custom.metrics.k8s.io/v1beta1","resources":[{"name":"custommetrics","singularName":"","namespaced":false,"kind":"MetricValueList","verbs":["get"]}]}\n',
  );
});

test('external resource list: one namespaced entry per name, the placeholder when empty', () => {
  assert.equal(
    encodeExternalResourceList('external.metrics.k8s.io/v1beta1', [
      { metric: 'queue_messages_ready' },
      { metric: 'queue_messages_ready' },
      { metric: 'lag' },
    ]),
    '{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"external.metrics.k8s.io/v1beta1","resources":[' +
      '{"name":"queue_messages_ready","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]},' +
      '{"name":"lag","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]}]}\n',
  );
  assert.equal(
    encodeExternalResourceList('external.metrics.k8s.io/v1beta1', []),
    '{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"external.metrics.k8s.io/v1beta1","resources":[{"name":"externalmetrics","singularName":"","namespaced":true,"kind":"ExternalMetricValueList","verbs":["get"]}]}\n',
  );
});

test('APIGroup and APIGroupList: the first version is preferred', () => {
  const group = { name: 'custom.metrics.k8s.io', versions: ['v1beta2', 'v1beta1'] };
  const versions =
    '"versions":[{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"},{"groupVersion":"custom.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}';
  assert.equal(
    encodeAPIGroup(group),
    `{"kind":"APIGroup","apiVersion":"v1","name":"custom.metrics.k8s.io",${versions}}\n`,
  );
  assert.equal(
    encodeAPIGroupList([group]),
    `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"custom.metrics.k8s.io",${versions}}]}\n`,
  );
});

test("Go's JSON escapes: <, >, &, U+2028 and U+2029; other text unchanged", () => {
  assert.equal(goEscape('{"a":"<b>&\u2028\u2029"}'), '{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029"}');
  assert.equal(goEscape('{"a":"plain é"}'), '{"a":"plain é"}');
  assert.equal(goString('x&y'), '"x\\u0026y"');
  assert.equal(goJson({ a: '<' }), '{"a":"\\u003c"}\n');
  assert.equal(goPretty('{"a":{"b":"<"},"c":[1]}'), '{\n  "a": {\n    "b": "\\u003c"\n  },\n  "c": [\n    1\n  ]\n}');
});

test('RFC 1123 labels and subdomains, with the length limit exactly at the edge', () => {
  assert.equal(dns1123LabelProblem('a'.repeat(63)), undefined);
  assert.equal(dns1123LabelProblem('a'.repeat(64)), 'must be no more than 63 characters');
  assert.match(
    dns1123LabelProblem('a.b')!,
    /^a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'/,
  );
  assert.equal(dns1123LabelProblem('-a'), dns1123LabelProblem('A'));
  assert.equal(
    dns1123SubdomainProblem(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`),
    undefined,
  );
  assert.equal(dns1123SubdomainProblem('a'.repeat(254)), 'must be no more than 253 characters');
  assert.equal(dns1123SubdomainProblem('apps.example.com'), undefined);
  // One character is a whole label (Go TestIsDNS1123Label / TestIsDNS1123Subdomain: "a", "a.b").
  assert.equal(dns1123LabelProblem('a'), undefined);
  assert.equal(dns1123SubdomainProblem('a'), undefined);
  assert.equal(dns1123SubdomainProblem('a.b'), undefined);
  assert.match(
    dns1123SubdomainProblem('a..b')!,
    /^a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '\.'/,
  );
});

test('metric names: the HPA path segment rules, length and control characters', () => {
  assert.equal(metricNameProblem('http_requests:rate.5m'), undefined);
  assert.equal(metricNameProblem('a'.repeat(253)), undefined);
  const cases: [string, string][] = [
    ['', 'must not be empty'],
    ['a'.repeat(254), 'must be no more than 253 characters'],
    ['.', "may not be '.'"],
    ['..', "may not be '..'"],
    ['a/b', "may not contain '/'"],
    ['a%2Fb', "may not contain '%'"],
    ['a\u0000', 'may not contain control characters'],
    ['a\u001f', 'may not contain control characters'],
    ['a\u007f', 'may not contain control characters'],
  ];
  for (const [name, problem] of cases) assert.equal(metricNameProblem(name), problem, JSON.stringify(name));
  assert.equal(metricNameProblem('...'), undefined);
});

test('metav1.Time: second precision in UTC, the same text on a repeat and for another second in the same slot', () => {
  const t = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(formatTimestamp(t + 999), '2024-05-01T12:00:00Z');
  assert.equal(formatTimestamp(t), '2024-05-01T12:00:00Z');
  // 1024 seconds later lands in the same slot of the cache and must not reuse its text.
  assert.equal(formatTimestamp(t + 1024_000), '2024-05-01T12:17:04Z');
  assert.equal(formatTimestamp(t), '2024-05-01T12:00:00Z');
  assert.equal(formatTimestamp(-1), '1969-12-31T23:59:59Z');
});
