import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';
import type { RequestGuard } from '../auth/index.js';
import { unauthorized } from '../api/errors.js';
import { isApiRead, isPlainWrite } from './api-fast-path.js';

type TestAdapter = Awaited<ReturnType<typeof createMemoryAdapter>>;

/** The same URL over a real socket (the hand-written path) and through inject() (fastify's routes). */
async function both(adapter: TestAdapter, base: string, path: string, headers: Record<string, string> = {}) {
  const viaSocket = await fetch(base + path, { headers });
  const socketBody = await viaSocket.text();
  const viaInject = await adapter.server.inject({ method: 'GET', url: path, headers });
  return {
    socket: { status: viaSocket.status, type: viaSocket.headers.get('content-type'), body: socketBody },
    inject: { status: viaInject.statusCode, type: viaInject.headers['content-type'], body: viaInject.body },
  };
}

describe('the hand-written /apis path answers exactly as the fastify routes do', () => {
  let adapter: TestAdapter;
  let base: string;
  before(async () => {
    adapter = await createMemoryAdapter();
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app=web', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app=web', '2'],
      ['/write-external-metrics/queue?labels=q=a', '"5"'],
    ] as const) assert.equal((await adapter.post(path, body)).statusCode, 200);
    await adapter.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(adapter.server.server.address() as AddressInfo).port}`;
  });
  after(() => adapter.close());

  const paths = [
    '/apis',
    '/apis/',
    '/apis/custom.metrics.k8s.io',
    '/apis/custom.metrics.k8s.io/v1beta2',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/http_requests?labelSelector=app%3Dweb',
    '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests?pretty=true',
    '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue?labelSelector=q%3Da',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/nope/http_requests',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3D%3D%3D',
    '/apis/custom.metrics.k8s.io/v1beta3/x',
    '/apis/unknown.group/v1',
    '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/missing',
  ];
  for (const path of paths) {
    test(path, async () => {
      const { socket, inject } = await both(adapter, base, path);
      assert.deepEqual(socket, inject);
    });
  }

  test('a curl User-Agent gets the same pretty body on both', async () => {
    const { socket, inject } = await both(adapter, base, paths[6]!, { 'user-agent': 'curl/8.5.0' });
    assert.deepEqual(socket, inject);
    assert.match(socket.body, /\n {2}"kind": "MetricValueList"/);
  });

  test('an Accept that rules out JSON is 406 on both', async () => {
    const { socket, inject } = await both(adapter, base, paths[6]!, { accept: 'application/vnd.kubernetes.protobuf' });
    assert.equal(socket.status, 406);
    assert.deepEqual(socket, inject);
  });

  const writes: readonly [string, string, string | undefined][] = [
    ['/write-metrics/namespaces/default/pods/web-3/http_requests?objectLabels=app=web', '"250m"', 'application/json'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', '"1.5"', 'application/json; charset=utf-8'],
    ['/write-external-metrics/namespaces/default/queue?labels=q=b', '7', 'Application/JSON'],
    ['/write-external-metrics/queue?labels=q=c', '"3k"', 'application/json'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', '"12 apples"', 'application/json'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', '', 'application/json'],
    ['/write-metrics/namespaces/Bad_NS/pods/web-3/http_requests', '"1"', 'application/json'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests?labels=a%3D%3D%3D', '"1"', 'application/json'],
    ['/write-metrics/namespaces/default/pods', '"1"', 'application/json'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', '"1"', 'text/plain'],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', '"1"', undefined],
    ['/write-metrics/namespaces/default/pods/web-3/http_requests', `"${'1'.repeat(70 * 1024)}"`, 'application/json'],
  ];
  for (const [path, body, type] of writes) {
    test(`POST ${path.slice(0, 80)} (${type ?? 'no content type'}, ${body.length} bytes)`, async () => {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
      // NB: a Buffer, because fetch labels a string body text/plain.
      const viaSocket = await fetch(base + path, { method: 'POST', body: Buffer.from(body), headers });
      const socket = { status: viaSocket.status, type: viaSocket.headers.get('content-type'), body: await viaSocket.text() };
      const viaInject = await adapter.server.inject({ method: 'POST', url: path, payload: body, headers });
      assert.deepEqual(socket, { status: viaInject.statusCode, type: viaInject.headers['content-type'], body: viaInject.body });
    });
  }

  test('a write on the hand-written path is stored and read back', async () => {
    const path = '/write-metrics/namespaces/default/pods/web-4/http_requests?objectLabels=app=web';
    assert.equal((await fetch(base + path, { method: 'POST', body: '"42"', headers: { 'content-type': 'application/json' } })).status, 200);
    const read = await fetch(`${base}/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-4/http_requests`);
    assert.match(await read.text(), /"value":"42"/);
  });

  test('requests on the hand-written path are counted in /metrics', async () => {
    const before = await (await fetch(`${base}/metrics`)).text();
    const count = (text: string) => Number(/metrics_adapter_requests_total\{[^}]*group="custom\.metrics\.k8s\.io",version="v1beta2"[^}]*code="200"\}\s+(\d+)/.exec(text)?.[1] ?? 0);
    await fetch(base + paths[6]!);
    const afterText = await (await fetch(`${base}/metrics`)).text();
    assert.equal(count(afterText), count(before) + 1);
  });
});

/**
 * A guard that holds requests carrying `Bearer wait` until released and refuses those without a token,
 * on an adapter whose in-flight limit (`limits`) is 1: one held request, then one refused with 429.
 */
async function checkGuardAndLimit(limits: { maxRequestsInflight?: number; maxMutatingRequestsInflight?: number }, send: (base: string, authorization?: string) => Promise<Response>): Promise<void> {
  let release: () => void = () => undefined;
  const blocked = new Promise<void>((resolve) => (release = resolve));
  const guard: RequestGuard = {
    async check(request) {
      if (request.headers.authorization === 'Bearer wait') await blocked;
      if (request.headers.authorization === undefined) throw unauthorized();
    },
  };
  const adapter = await createMemoryAdapter({}, { guard, limits });
  try {
    await adapter.server.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(adapter.server.server.address() as AddressInfo).port}`;
    const denied = await send(base);
    assert.equal(denied.status, 401);
    assert.equal((await denied.json() as { reason: string }).reason, 'Unauthorized');
    const waiting = send(base, 'Bearer wait');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await send(base, 'Bearer ok');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await refused.json() as { reason: string }).reason, 'TooManyRequests');
    release();
    assert.equal((await waiting).status, 200);
    assert.equal((await send(base, 'Bearer ok')).status, 200);
  } finally {
    release();
    await adapter.close();
  }
}

const withToken = (authorization?: string): Record<string, string> => (authorization ? { authorization } : {});

test('the guard and the in-flight limit apply to reads on the hand-written path', () =>
  checkGuardAndLimit({ maxRequestsInflight: 1 }, (base, authorization) => fetch(`${base}/apis/custom.metrics.k8s.io/v1beta2`, { headers: withToken(authorization) })));

test('the guard and the mutating in-flight limit apply to writes on the hand-written path', () =>
  checkGuardAndLimit({ maxMutatingRequestsInflight: 1 }, (base, authorization) => fetch(`${base}/write-metrics/namespaces/default/pods/web-1/m`, {
    method: 'POST', body: '"1"', headers: { 'content-type': 'application/json', ...withToken(authorization) },
  })));

test('isPlainWrite takes JSON (or unlabelled, or curl form) writes with a Content-Length within the limit only', () => {
  const write = (headers: Record<string, string>, url = '/write-metrics/namespaces/d/pods/p/m', method = 'POST') =>
    isPlainWrite({ method, url, headers } as unknown as Parameters<typeof isPlainWrite>[0]);
  assert.equal(write({ 'content-type': 'application/json', 'content-length': '3' }), true);
  assert.equal(write({ 'content-type': 'application/json; charset=utf-8', 'content-length': '3' }, '/write-external-metrics/q'), true);
  assert.equal(write({ 'content-type': 'application/json', 'content-length': '3' }, '/write-metricsx/a'), false);
  assert.equal(write({ 'content-type': 'application/json', 'content-length': '3' }, '/write-metrics/a', 'PUT'), false);
  assert.equal(write({ 'content-type': 'application/json' }), false, 'no length: chunked or empty, fastify decides');
  assert.equal(write({ 'content-type': 'application/json', 'content-length': '3', 'transfer-encoding': 'chunked' }), false);
  assert.equal(write({ 'content-type': 'application/json', 'content-length': String(70 * 1024) }), false);
  assert.equal(write({ 'content-type': 'text/plain', 'content-length': '3' }), false);
  assert.equal(write({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' }), true, "curl -d's default");
  assert.equal(write({ 'content-length': '3' }), true, 'unlabelled: read as JSON');
});

test('isApiRead takes GETs of /apis and below only', () => {
  const read = (method: string, url: string) => isApiRead({ method, url } as Parameters<typeof isApiRead>[0]);
  assert.equal(read('GET', '/apis'), true);
  assert.equal(read('GET', '/apis?pretty=1'), true);
  assert.equal(read('GET', '/apis/custom.metrics.k8s.io'), true);
  assert.equal(read('GET', '/apisx'), false);
  assert.equal(read('HEAD', '/apis'), false);
  assert.equal(read('POST', '/apis/custom.metrics.k8s.io'), false);
  assert.equal(read('GET', '/healthz'), false);
});
