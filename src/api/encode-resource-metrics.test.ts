/**
 * The bytes of NodeMetrics and PodMetrics (`metrics.k8s.io/v1beta1`, spec §10): Go's field order, list items
 * without kind and apiVersion, sorted label keys, labels left out when empty, and the group's discovery list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeNodeMetrics,
  encodeNodeMetricsList,
  encodePodMetrics,
  encodePodMetricsList,
  encodeResourceMetricsResourceList,
  type NodeMetricsSource,
  type PodMetricsSource,
} from './encode-resource-metrics.js';

const now = Date.UTC(2024, 4, 1, 12, 0, 30, 900);
const sampled = Date.UTC(2024, 4, 1, 12, 0, 15, 250);

const node: NodeMetricsSource = {
  name: 'node-1',
  labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' },
  timestamp: sampled,
  windowMs: 10_767,
  usage: { cpu: '470087n', memory: '1834616Ki' },
};

const pod: PodMetricsSource = {
  namespace: 'team-a',
  name: 'web-0',
  labels: {},
  timestamp: sampled,
  windowMs: 30_000,
  containers: [
    { name: 'app', usage: { cpu: '5m', memory: '10Mi' } },
    { name: 'sidecar', usage: { cpu: '0', memory: '2Mi' } },
  ],
};

const nodeItem =
  '"metadata":{"name":"node-1","creationTimestamp":"2024-05-01T12:00:30Z","labels":{"kubernetes.io/arch":"amd64","kubernetes.io/os":"linux"}},' +
  '"timestamp":"2024-05-01T12:00:15Z","window":"10.767s","usage":{"cpu":"470087n","memory":"1834616Ki"}';
const podItem =
  '"metadata":{"name":"web-0","namespace":"team-a","creationTimestamp":"2024-05-01T12:00:30Z"},' +
  '"timestamp":"2024-05-01T12:00:15Z","window":"30s",' +
  '"containers":[{"name":"app","usage":{"cpu":"5m","memory":"10Mi"}},{"name":"sidecar","usage":{"cpu":"0","memory":"2Mi"}}]';

test('NodeMetrics: kind, apiVersion, metadata with sorted labels and no namespace, timestamp, window, usage', () => {
  assert.equal(
    encodeNodeMetrics(node, now),
    `{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1",${nodeItem}}\n`,
  );
});

test('PodMetrics: metadata with the namespace and without empty labels, then the containers', () => {
  assert.equal(encodePodMetrics(pod, now), `{"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1",${podItem}}\n`);
});

test('a pod with labels carries them sorted after creationTimestamp', () => {
  const body = encodePodMetrics({ ...pod, labels: { tier: 'web', app: 'shop' } }, now);
  assert.ok(
    body.includes(
      '"namespace":"team-a","creationTimestamp":"2024-05-01T12:00:30Z","labels":{"app":"shop","tier":"web"}},',
    ),
    body,
  );
});

test('a node without labels has no labels field', () => {
  const body = encodeNodeMetrics({ ...node, labels: {} }, now);
  assert.ok(
    body.startsWith(
      '{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"node-1","creationTimestamp":"2024-05-01T12:00:30Z"},"timestamp"',
    ),
    body,
  );
});

test('lists: empty metadata, items without kind and apiVersion, in the order given', () => {
  assert.equal(
    encodeNodeMetricsList([node, { ...node, name: 'node-0' }], now),
    `{"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[{${nodeItem}},{${nodeItem.replace('"node-1"', '"node-0"')}}]}\n`,
  );
  assert.equal(
    encodePodMetricsList([pod], now),
    `{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[{${podItem}}]}\n`,
  );
  assert.equal(
    encodePodMetricsList([], now),
    '{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[]}\n',
  );
});

test('the APIResourceList of metrics.k8s.io/v1beta1: nodes (singular node, cluster-scoped) and pods', () => {
  assert.equal(
    encodeResourceMetricsResourceList(),
    '{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"metrics.k8s.io/v1beta1","resources":[' +
      '{"name":"nodes","singularName":"node","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]},' +
      '{"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]}]}\n',
  );
});
