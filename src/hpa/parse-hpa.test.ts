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
    [valid.replace('autoscaling/v2', 'autoscaling/v1'), /^hpa\.yaml:1: apiVersion: must be autoscaling\/v2$/],
    [valid.replace('maxReplicas: 5', 'maxReplicas: 0'), /^hpa\.yaml:6: spec\.maxReplicas: /],
    [valid.replace('value: 500m', 'value: lots'), /^hpa\.yaml:11: spec\.metrics\[0\]\.external\.target\.value: invalid quantity "lots"/],
    [valid.replace('type: Value', 'type: AverageValue'), /^hpa\.yaml:11: spec\.metrics\[0\]\.external\.target\.averageValue: required when type is AverageValue$/],
    [valid.replace('- type: External', '- type: Pods'), /spec\.metrics\[0\]\.pods: required when type is Pods$/],
    [valid.replace('name: q', 'name: a/b'), /spec\.metrics\[0\]\.external\.metric\.name: may not/],
    [valid.replace('metric: {name: q}', 'metric: {name: q, selector: {matchLabels: {queue: a b}}}'), /^hpa\.yaml:10: spec\.metrics\[0\]\.external\.metric\.selector: .*a b/],
    ['kind: [', /^hpa\.yaml:1: invalid YAML/],
    ['- a', /must be one HorizontalPodAutoscaler/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseHpa(text, 'hpa.yaml'), (e: unknown) => e instanceof InvalidHpaError && message.test(e.message));
});

test('a valid manifest: quantities parsed, unknown fields ignored', () => {
  const hpa = parseHpa(`${valid}status:\n  currentReplicas: 2\n  conditions: []\n`, 'hpa.yaml');
  assert.equal(hpa.spec.metrics![0]!.external!.target.value!.milliValue(), 500n);
  assert.equal(hpa.status?.currentReplicas, 2);
});
