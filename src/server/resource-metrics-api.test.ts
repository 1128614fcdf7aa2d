import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdapter } from '../adapter.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createSilentLogger } from '../log/index.js';
import memoryBackend from '../providers/memory/index.js';

async function memoryResourceAdapter() {
  const resourceMapper = createStaticResourceMapper();
  const backend = await memoryBackend.create({}, {}, { logger: createSilentLogger(), resourceMapper });
  const adapter = createAdapter({
    custom: backend.custom!,
    external: backend.external!,
    resource: backend.resource!,
    writer: backend.writer!,
    resourceMapper,
  });
  const request = async (method: 'GET' | 'POST', url: string, payload?: string) => {
    const res = await adapter.server.inject({
      method,
      url,
      ...(payload !== undefined ? { payload, headers: { 'content-type': 'application/json' } } : {}),
    });
    return { statusCode: res.statusCode, body: res.body };
  };
  return {
    adapter,
    get: (url: string) => request('GET', url),
    post: (url: string, body: string) => request('POST', url, body),
  };
}

const second = /"(creationTimestamp|timestamp)":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"/g;

/**
 * The body with every timestamp checked and replaced by `T`, so the rest compares byte for byte: a sample's
 * `timestamp` lies in [from, written] (the writes), and `creationTimestamp` in [from, read], as metrics-server stamps
 * an object when it answers.
 */
function withTimesChecked(body: string, from: number, written: number, read: number): string {
  return body.replace(second, (_all, field: string, text: string) => {
    const ms = Date.parse(text);
    const to = field === 'creationTimestamp' ? read : written;
    assert.ok(ms >= Math.floor(from / 1000) * 1000 && ms <= to, `${field} ${text} within the test`);
    return `"${field}":"T"`;
  });
}

test('resource metrics: bad requests are Statuses, not 500s', async () => {
  const { adapter, get, post } = await memoryResourceAdapter();
  const cases: [string, number, RegExp][] = [
    ['/apis/metrics.k8s.io/v1beta1/pods/x', 404, /the server could not find the requested resource/],
    ['/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/p/x', 404, /could not find/],
    ['/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=a%3D%3D%3D', 400, /unable to parse requirement|invalid/],
    [
      '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope',
      404,
      /podmetrics\.metrics\.k8s\.io "default\/nope" not found/,
    ],
    ['/apis/metrics.k8s.io/v1beta1/nodes/nope', 404, /nodemetrics\.metrics\.k8s\.io "nope" not found/],
  ];
  for (const [url, code, message] of cases) {
    const res = await get(url);
    assert.equal(res.statusCode, code, url);
    assert.match(JSON.parse(res.body).message, message, url);
  }
  const notFound = await get('/apis/metrics.k8s.io/v1beta1/nodes/nope');
  assert.deepEqual(JSON.parse(notFound.body).details, { name: 'nope', group: 'metrics.k8s.io', kind: 'nodemetrics' });
  const writes: [string, string, RegExp][] = [
    ['/write-resource-metrics/nodes/n1', '{"cpu":"abc"}', /invalid cpu/],
    ['/write-resource-metrics/nodes/n1', '{"cpu":"-1"}', /must not be negative/],
    ['/write-resource-metrics/nodes/n1', '{"disk":"1"}', /unknown key/],
    ['/write-resource-metrics/nodes/n1', '{}', /give "cpu", "memory" or both/],
    ['/write-resource-metrics/nodes/n1', '[1]', /JSON object/],
    ['/write-resource-metrics/nodes/N_1', '{"cpu":"1"}', /invalid node name/],
    ['/write-resource-metrics/nodes/n1?window=-1s', '{"cpu":"1"}', /invalid window/],
    ['/write-resource-metrics/namespaces/default/pods/p', '{"cpu":"1"}', /could not find/],
  ];
  for (const [url, body, message] of writes) {
    const res = await post(url, body);
    assert.ok(res.statusCode === 400 || res.statusCode === 404, `${url} ${body}: ${res.statusCode}`);
    assert.match(JSON.parse(res.body).message, message, `${url} ${body}`);
  }
  await adapter.close();
});

test('resource metrics: discovery lists the group and its two resources', async () => {
  const { adapter, get } = await memoryResourceAdapter();
  const groups = JSON.parse((await get('/apis')).body) as { groups: { name: string }[] };
  assert.deepEqual(
    groups.groups.map((g) => g.name),
    ['custom.metrics.k8s.io', 'external.metrics.k8s.io', 'metrics.k8s.io'],
  );
  assert.equal(
    (await get('/apis/metrics.k8s.io')).body,
    '{"kind":"APIGroup","apiVersion":"v1","name":"metrics.k8s.io","versions":[{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"metrics.k8s.io/v1beta1","version":"v1beta1"}}\n',
  );
  assert.equal(
    (await get('/apis/metrics.k8s.io/v1beta1')).body,
    '{"kind":"APIResourceList","apiVersion":"v1","groupVersion":"metrics.k8s.io/v1beta1","resources":[{"name":"nodes","singularName":"node","namespaced":false,"kind":"NodeMetrics","verbs":["get","list"]},{"name":"pods","singularName":"","namespaced":true,"kind":"PodMetrics","verbs":["get","list"]}]}\n',
  );
  await adapter.close();
});

test('resource metrics: the OpenAPI documents describe metrics.k8s.io/v1beta1 when it is served', async () => {
  const { adapter, get } = await memoryResourceAdapter();
  const v3 = await get('/openapi/v3');
  assert.equal(v3.statusCode, 200);
  assert.ok(
    Object.keys((JSON.parse(v3.body) as { paths: Record<string, unknown> }).paths).includes(
      'apis/metrics.k8s.io/v1beta1',
    ),
    v3.body,
  );
  const group = await get('/openapi/v3/apis/metrics.k8s.io/v1beta1');
  assert.equal(group.statusCode, 200);
  const document = JSON.parse(group.body) as {
    paths: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };
  assert.ok(
    '/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}' in document.paths,
    Object.keys(document.paths).join(', '),
  );
  assert.ok(Object.keys(document.components.schemas).some((name) => name.endsWith('PodMetricsList')));
  const v2 = JSON.parse((await get('/openapi/v2')).body) as { paths: Record<string, unknown> };
  assert.ok('/apis/metrics.k8s.io/v1beta1/nodes' in v2.paths);
  await adapter.close();
});

test('resource metrics: written usage is served as metrics-server writes it, byte for byte', async () => {
  const { adapter, get, post } = await memoryResourceAdapter();
  const from = Date.now();
  const writes: [string, string][] = [
    ['/write-resource-metrics/nodes/node-b?objectLabels=zone%3Db', '{"cpu":"1.5","memory":"2Gi"}'],
    [
      '/write-resource-metrics/nodes/node-a?objectLabels=zone%3Da,kubernetes.io%2Fos%3Dlinux',
      '{"cpu":"470087n","memory":"1073741824"}',
    ],
    [
      '/write-resource-metrics/namespaces/shop/pods/web-1/containers/nginx?objectLabels=app%3Dweb&window=15s',
      '{"cpu":"250m","memory":"64Mi"}',
    ],
    ['/write-resource-metrics/namespaces/shop/pods/web-1/containers/envoy?window=15s', '{"cpu":0.01}'],
    [
      '/write-resource-metrics/namespaces/shop/pods/db-0/containers/postgres?objectLabels=app%3Ddb',
      '{"cpu":"2000m","memory":"1000000"}',
    ],
    ['/write-resource-metrics/namespaces/blog/pods/web-1/containers/app?objectLabels=app%3Dweb', '{"memory":"100Mi"}'],
  ];
  for (const [url, body] of writes) assert.equal((await post(url, body)).statusCode, 200, url);
  const to = Date.now();
  const answer = async (url: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, 200, url);
    return withTimesChecked(res.body, from, to, Date.now());
  };

  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/nodes'),
    '{"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[' +
      '{"metadata":{"name":"node-a","creationTimestamp":"T","labels":{"kubernetes.io/os":"linux","zone":"a"}},"timestamp":"T","window":"30s","usage":{"cpu":"470087n","memory":"1Gi"}},' +
      '{"metadata":{"name":"node-b","creationTimestamp":"T","labels":{"zone":"b"}},"timestamp":"T","window":"30s","usage":{"cpu":"1500m","memory":"2Gi"}}]}\n',
  );
  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/nodes/node-b'),
    '{"kind":"NodeMetrics","apiVersion":"metrics.k8s.io/v1beta1","metadata":{"name":"node-b","creationTimestamp":"T","labels":{"zone":"b"}},"timestamp":"T","window":"30s","usage":{"cpu":"1500m","memory":"2Gi"}}\n',
  );
  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Da'),
    '{"kind":"NodeMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[' +
      '{"metadata":{"name":"node-a","creationTimestamp":"T","labels":{"kubernetes.io/os":"linux","zone":"a"}},"timestamp":"T","window":"30s","usage":{"cpu":"470087n","memory":"1Gi"}}]}\n',
  );

  const web1 =
    '{"metadata":{"name":"web-1","namespace":"shop","creationTimestamp":"T","labels":{"app":"web"}},"timestamp":"T","window":"15s","containers":[' +
    '{"name":"envoy","usage":{"cpu":"10m","memory":"0"}},{"name":"nginx","usage":{"cpu":"250m","memory":"64Mi"}}]}';
  const db0 =
    '{"metadata":{"name":"db-0","namespace":"shop","creationTimestamp":"T","labels":{"app":"db"}},"timestamp":"T","window":"30s","containers":[{"name":"postgres","usage":{"cpu":"2","memory":"1000000"}}]}';
  const blogWeb1 =
    '{"metadata":{"name":"web-1","namespace":"blog","creationTimestamp":"T","labels":{"app":"web"}},"timestamp":"T","window":"30s","containers":[{"name":"app","usage":{"cpu":"0","memory":"100Mi"}}]}';
  const podList = (items: string[]) =>
    `{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},"items":[${items.join(',')}]}\n`;
  assert.equal(await answer('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods'), podList([db0, web1]));
  assert.equal(await answer('/apis/metrics.k8s.io/v1beta1/pods'), podList([blogWeb1, db0, web1]));
  assert.equal(await answer('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=app%3Dweb'), podList([blogWeb1, web1]));
  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%20in%20(web)'),
    podList([web1]),
  );
  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/pods?fieldSelector=metadata.namespace%3Dblog'),
    podList([blogWeb1]),
  );
  assert.equal(await answer('/apis/metrics.k8s.io/v1beta1/namespaces/empty/pods'), podList([]));
  assert.equal(
    await answer('/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/web-1'),
    `{"kind":"PodMetrics","apiVersion":"metrics.k8s.io/v1beta1",${web1.slice(1)}\n`,
  );
  await adapter.close();
});
