import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { checkShape, templateFor, type DocumentJson } from '../../../test/helpers/openapi-shape.js';
import { parseResourceMetricsPath } from '../../server/resource-metrics-api.js';
import {
  encodeNodeMetrics,
  encodeNodeMetricsList,
  encodePodMetrics,
  encodePodMetricsList,
  encodeResourceMetricsResourceList,
} from '../encode-resource-metrics.js';
import { createOpenApiDocuments } from './documents.js';

const resourceGroup = { name: 'metrics.k8s.io', versions: ['v1beta1'] };
const allGroups = [
  { name: 'custom.metrics.k8s.io', versions: ['v1beta1', 'v1beta2'] },
  { name: 'external.metrics.k8s.io', versions: ['v1beta1'] },
  resourceGroup,
];
const parse = (body: Buffer) => JSON.parse(body.toString()) as DocumentJson;

const now = Date.parse('2030-01-01T12:00:00Z');
const node = {
  name: 'node-1',
  labels: { zone: 'a' },
  timestamp: now - 5000,
  windowMs: 30_000,
  usage: { cpu: '470087n', memory: '1048576Ki' },
};
const pod = {
  namespace: 'default',
  name: 'web-1',
  labels: {},
  timestamp: now - 5000,
  windowMs: 60_000,
  containers: [{ name: 'app', usage: { cpu: '250m', memory: '64Mi' } }],
};

/** Every form the resource metrics API answers, with the encoder's bytes for it. */
const served: [string, string][] = [
  ['/apis/metrics.k8s.io/v1beta1/', encodeResourceMetricsResourceList()],
  ['/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Da', encodeNodeMetricsList([node], now)],
  ['/apis/metrics.k8s.io/v1beta1/nodes/node-1', encodeNodeMetrics(node, now)],
  ['/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.name%3Dweb-1', encodePodMetricsList([pod], now)],
  [
    '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb',
    encodePodMetricsList([pod, { ...pod, name: 'web-2', labels: { app: 'web' } }], now),
  ],
  ['/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1', encodePodMetrics(pod, now)],
];

test('with metrics.k8s.io: /openapi/v2 is valid Swagger 2.0 and each v3 document valid OpenAPI 3.0, references resolved', async () => {
  const documents = createOpenApiDocuments(allGroups);
  const v2 = new Validator();
  assert.deepEqual(
    (await v2.validate(structuredClone(parse(documents.v2.body)) as unknown as Record<string, unknown>)).errors,
    undefined,
  );
  assert.equal(v2.version, '2.0');
  assert.doesNotThrow(() => v2.resolveRefs());
  const discovery = JSON.parse(documents.v3Discovery.body.toString()) as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  assert.deepEqual(Object.keys(discovery.paths).sort(), [
    'apis/custom.metrics.k8s.io/v1beta1',
    'apis/custom.metrics.k8s.io/v1beta2',
    'apis/external.metrics.k8s.io/v1beta1',
    'apis/metrics.k8s.io/v1beta1',
  ]);
  const resource = documents.v3.get('apis/metrics.k8s.io/v1beta1')!;
  assert.equal(
    discovery.paths['apis/metrics.k8s.io/v1beta1']!.serverRelativeURL,
    `/openapi/v3/apis/metrics.k8s.io/v1beta1?hash=${resource.hash}`,
  );
  for (const [key, body] of documents.v3) {
    const validator = new Validator();
    assert.deepEqual(
      (await validator.validate(structuredClone(parse(body.body)) as unknown as Record<string, unknown>)).errors,
      undefined,
      key,
    );
    assert.equal(validator.version, '3.0');
    assert.doesNotThrow(() => validator.resolveRefs(), key);
  }
});

test('every metrics.k8s.io path is described, with the type it answers with, in v2 and v3', () => {
  const documents = createOpenApiDocuments([resourceGroup]);
  const v2 = parse(documents.v2.body);
  const v3 = parse(documents.v3.get('apis/metrics.k8s.io/v1beta1')!.body);
  for (const [path, bytes] of served) {
    const body = JSON.parse(bytes) as { kind: string };
    const template = templateFor(v2, path.split('?')[0]!);
    assert.ok(template, `a template in /openapi/v2 matches ${path}`);
    const operation = v2.paths[template]!.get;
    for (const key of new URLSearchParams(path.split('?')[1] ?? '').keys()) {
      assert.ok(
        operation.parameters.some((p) => p.in === 'query' && p.name === key),
        `${template} takes ?${key}`,
      );
    }
    const schema = operation.responses['200']!.schema!;
    assert.equal(
      v2.definitions![schema.$ref!.replace('#/definitions/', '')]!['x-kubernetes-group-version-kind']?.[0]?.kind,
      body.kind,
      path,
    );
    checkShape(body, schema, v2.definitions!, path);
    assert.ok(v3.paths[template], `${template} is in the v3 document`);
    checkShape(
      body,
      v3.paths[template]!.get.responses['200']!.content!['application/json']!.schema,
      v3.components!.schemas,
      path,
    );
  }
});

test('every described metrics.k8s.io path is one the server routes, and each discovered resource has list and get', () => {
  const v2 = parse(createOpenApiDocuments([resourceGroup]).v2.body);
  const base = '/apis/metrics.k8s.io/v1beta1/';
  const templates = Object.keys(v2.paths).filter((p) => p !== base);
  assert.equal(templates.length, 5);
  for (const template of templates) {
    const segments = template
      .slice(base.length)
      .replace(/\{[^}]+\}/g, 'x')
      .split('/');
    assert.doesNotThrow(() => parseResourceMetricsPath(segments), template);
  }
  const actions = Object.values(v2.paths).map((p) => p.get['x-kubernetes-action']);
  for (const resource of (
    JSON.parse(encodeResourceMetricsResourceList()) as { resources: { name: string; namespaced: boolean }[] }
  ).resources) {
    const list = resource.namespaced ? `${base}namespaces/{namespace}/${resource.name}` : `${base}${resource.name}`;
    assert.equal(v2.paths[list]?.get['x-kubernetes-action'], 'list', list);
    assert.equal(v2.paths[`${list}/{name}`]?.get['x-kubernetes-action'], 'get', `${list}/{name}`);
  }
  assert.ok(actions.includes('list'));
});
