import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { parseHpa } from './parse-hpa.js';
import { encodeQuery, guessResource, queryFor } from './metric-queries.js';

const ctx = { namespace: 'team a', customVersion: 'v1beta1' as const, podSelector: 'app=web,tier in (a,b)', resourceMapper: createStaticResourceMapper() };
const metricsOf = (yaml: string) =>
  parseHpa(`apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  scaleTargetRef: {kind: Deployment, name: d}\n  maxReplicas: 3\n  metrics:\n${yaml}`, 'hpa.yaml').spec.metrics!;

test('the query string is Go url.Values.Encode: sorted keys, + for spaces, empty values left out', () => {
  assert.equal(encodeQuery({ metricLabelSelector: 'm!=x', labelSelector: 'app in (a,b)' }), '?labelSelector=app+in+%28a%2Cb%29&metricLabelSelector=m%21%3Dx');
  assert.equal(encodeQuery({ metricLabelSelector: '' }), '');
});

test('the kind guess of a RESTMapper without discovery', () => {
  assert.deepEqual(['Widget', 'Policy', 'Class', 'Endpoints'].map(guessResource), ['widgets', 'policies', 'classes', 'endpoints']);
});

test('Pods, Object and External metrics become the HPA controller requests', () => {
  const metrics = metricsOf(`  - type: Pods
    pods: {metric: {name: rps, selector: {matchExpressions: [{key: code, operator: NotIn, values: ["500", "404"]}]}}, target: {type: AverageValue, averageValue: 1}}
  - type: Object
    object: {describedObject: {apiVersion: apps/v1, kind: Deployment, name: web}, metric: {name: lag}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Namespace, name: elsewhere}, metric: {name: queue}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: v1, kind: Node, name: n1}, metric: {name: temp}, target: {type: Value, value: 1}}
  - type: Object
    object: {describedObject: {apiVersion: example.com/v1, kind: Widget, name: w}, metric: {name: size}, target: {type: Value, value: 1}}
  - type: External
    external: {metric: {name: jobs, selector: {matchLabels: {queue: a-b}}}, target: {type: AverageValue, averageValue: 1}}
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}`);
  const urls = metrics.map((m) => queryFor(m, ctx)?.url);
  assert.deepEqual(urls, [
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/pods/%2A/rps?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&metricLabelSelector=code+notin+%28404%2C500%29',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/deployments.apps/web/lag',
    // NB: the HPA's own namespace, whatever describedObject.name says.
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/metrics/queue',
    // NB: the namespaced form even for a cluster-scoped kind.
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/nodes/n1/temp',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/team%20a/widgets.example.com/w/size',
    '/apis/external.metrics.k8s.io/v1beta1/namespaces/team%20a/jobs?labelSelector=queue%3Da-b',
    undefined,
  ]);
});
