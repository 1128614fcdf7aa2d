import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidHpaError, parseHpa } from './parse-hpa.js';

const valid = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: External
    external:
      metric: {name: q}
      target: {type: Value, value: 500m}
`;

test('mistakes name the line and the field', () => {
  const cases: [string, RegExp][] = [
    [
      valid.replace('autoscaling/v2', 'autoscaling/v1'),
      /^hpa\.yaml:1: apiVersion: must be autoscaling\/v2 \(or autoscaling\/v2beta2, autoscaling\/v2beta1\)$/,
    ],
    [valid.replace('maxReplicas: 5', 'maxReplicas: 0'), /^hpa\.yaml:6: spec\.maxReplicas: /],
    [
      valid.replace('value: 500m', 'value: lots'),
      /^hpa\.yaml:11: spec\.metrics\[0\]\.external\.target\.value: invalid quantity "lots"/,
    ],
    [
      valid.replace('type: Value', 'type: AverageValue'),
      /^hpa\.yaml:11: spec\.metrics\[0\]\.external\.target\.averageValue: required when type is AverageValue$/,
    ],
    [valid.replace('- type: External', '- type: Pods'), /spec\.metrics\[0\]\.pods: required when type is Pods$/],
    [valid.replace('name: q', 'name: a/b'), /spec\.metrics\[0\]\.external\.metric\.name: may not/],
    [
      valid.replace('metric: {name: q}', 'metric: {name: q, selector: {matchLabels: {queue: a b}}}'),
      /^hpa\.yaml:10: spec\.metrics\[0\]\.external\.metric\.selector: .*a b/,
    ],
    ['kind: [', /^hpa\.yaml:1: invalid YAML/],
    ['- a', /must be one HorizontalPodAutoscaler/],
  ];
  for (const [text, message] of cases)
    assert.throws(
      () => parseHpa(text, 'hpa.yaml'),
      (e: unknown) => e instanceof InvalidHpaError && message.test(e.message),
    );
});

test('a valid manifest: quantities parsed, unknown fields ignored', () => {
  const hpa = parseHpa(`${valid}status:\n  currentReplicas: 2\n  conditions: []\n`, 'hpa.yaml');
  assert.equal(hpa.spec.metrics![0]!.external!.target.value!.milliValue(), 500n);
  assert.equal(hpa.status?.currentReplicas, 2);
});

/** The Sysdig adapter README's kuard HPA, as written there. */
const kuardV2beta1 = `apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata:
  name: kuard-autoscaler
spec:
  scaleTargetRef:
    apiVersion: apps/v1beta1
    kind: Deployment
    name: kuard
  minReplicas: 3
  maxReplicas: 10
  metrics:
  - type: Object
    object:
      target:
        kind: Service
        name: kuard
      metricName: net.http.request.count
      targetValue: 100
`;

test('autoscaling/v2beta1 is converted as the API server converts it, and says so', () => {
  const hpa = parseHpa(kuardV2beta1, 'kuard.yaml');
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.convertedFrom, 'autoscaling/v2beta1');
  const object = hpa.spec.metrics![0]!.object!;
  assert.deepEqual(object.describedObject, { apiVersion: 'v1', kind: 'Service', name: 'kuard' });
  assert.equal(object.metric.name, 'net.http.request.count');
  assert.equal(object.target.type, 'Value');
  assert.equal(object.target.value?.toString(), '100');

  const others = parseHpa(
    `apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  metrics:
  - type: Pods
    pods: {metricName: rps, targetAverageValue: 10, selector: {matchLabels: {verb: GET}}}
  - type: External
    external: {metricName: queue, metricSelector: {matchLabels: {q: a}}, targetAverageValue: 30}
  - type: External
    external: {metricName: queue, targetValue: 5, targetAverageValue: 30}
  - type: Object
    object: {target: {kind: Service, name: s}, metricName: m, targetValue: 1, averageValue: 2}
  - type: Resource
    resource: {name: cpu, targetAverageUtilization: 50}
`,
    'web.yaml',
  );
  const [pods, external, externalValue, objectAverage, resource] = others.spec.metrics!;
  assert.deepEqual(
    [
      pods!.pods!.metric.name,
      pods!.pods!.metric.selector,
      pods!.pods!.target.type,
      pods!.pods!.target.averageValue?.toString(),
    ],
    ['rps', { matchLabels: { verb: 'GET' } }, 'AverageValue', '10'],
  );
  assert.deepEqual(
    [external!.external!.metric.selector, external!.external!.target.type],
    [{ matchLabels: { q: 'a' } }, 'AverageValue'],
  );
  assert.equal(externalValue!.external!.target.type, 'Value', 'targetValue wins for External');
  assert.equal(objectAverage!.object!.target.type, 'AverageValue', 'averageValue wins for Object');
  assert.deepEqual(resource!.resource, { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } });
});

test('autoscaling/v2beta2 is v2 field for field', () => {
  const hpa = parseHpa(valid.replace('autoscaling/v2', 'autoscaling/v2beta2'), 'hpa.yaml');
  assert.equal(hpa.convertedFrom, 'autoscaling/v2beta2');
  assert.equal(hpa.spec.metrics![0]!.external!.target.value?.toString(), '500m');
  assert.equal(parseHpa(valid, 'hpa.yaml').convertedFrom, undefined);
});
