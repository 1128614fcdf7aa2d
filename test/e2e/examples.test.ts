/**
 * The examples in examples/ run as their headers say (through tsx, with `run()`'s flags and a generated
 * certificate) and are read over real TLS with a real kubectl 1.35.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startExample, type AdapterProcess } from '../helpers/adapter-process.js';
import { findKubectl, kubectlGetRaw, type KubectlResult } from '../helpers/kubectl.js';

const external = '/apis/external.metrics.k8s.io/v1beta1';
const custom = '/apis/custom.metrics.k8s.io/v1beta2';

let kubectl: string | undefined;
before(async () => {
  kubectl = await findKubectl();
});

function reader(adapter: () => AdapterProcess) {
  return (path: string): Promise<KubectlResult> =>
    kubectlGetRaw(kubectl!, { server: adapter().url, caFile: adapter().caFile, path });
}

function items(out: KubectlResult): [Record<string, string> | string, string][] {
  assert.equal(out.code, 0, out.stderr);
  const list = JSON.parse(out.stdout) as {
    items: { metricLabels?: Record<string, string>; describedObject?: { name: string }; value: string }[];
  };
  return list.items.map((item) => [item.metricLabels ?? item.describedObject!.name, item.value]);
}

/** Reads `path` until `check` passes or 30 s go by: for values that change when the example's function next runs. */
async function eventually(read: () => Promise<KubectlResult>, check: (out: KubectlResult) => void): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const out = await read();
    try {
      check(out);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('examples/object-provider.ts: a custom provider backed by a plain object', () => {
  let adapter: AdapterProcess;
  const get = reader(() => adapter);
  before(async () => {
    if (kubectl !== undefined) adapter = await startExample('object-provider.ts');
  });
  after(async () => adapter?.stop());

  test('kubectl reads discovery, the pods of a namespace, one pod, and a NotFound Status', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const discovery = JSON.parse((await get(custom)).stdout) as { resources: { name: string }[] };
    assert.deepEqual(discovery.resources.map((r) => r.name).sort(), ['pods/queue_depth', 'pods/requests_per_second']);
    assert.deepEqual(items(await get(`${custom}/namespaces/default/pods/*/requests_per_second`)), [
      ['web-1', '12'],
      ['web-2', '1500m'],
    ]);
    assert.deepEqual(items(await get(`${custom}/namespaces/shop/pods/cart-1/requests_per_second`)), [['cart-1', '3']]);
    const missing = await get(`${custom}/namespaces/shop/pods/nope/requests_per_second`);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFound/);
    assert.match(missing.stderr, /could not find the metric requests_per_second for pods nope/);
  });
});

describe('examples/queue-length.ts: a one-function metric polling a local HTTP endpoint', () => {
  let adapter: AdapterProcess;
  let endpoint: Server;
  let answer: { status: number; body: unknown } = { status: 200, body: { length: 7, byPriority: { high: 2 } } };
  const get = reader(() => adapter);
  before(async () => {
    if (kubectl === undefined) return;
    endpoint = createServer((_request, response) => {
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const { port } = endpoint.address() as AddressInfo;
    adapter = await startExample('queue-length.ts', {
      env: { QUEUE_URL: `http://127.0.0.1:${port}/queue`, POLL_EVERY: '200ms', MAX_STALENESS: '3s' },
    });
  });
  after(async () => {
    await adapter?.stop();
    endpoint?.close();
  });

  test('the start-up line of this external-only adapter suggests a read that answers, not a custom.metrics.k8s.io one', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const hint = /try: kubectl --kubeconfig \S+ get --raw (\S+)"/.exec(adapter!.logs());
    assert.ok(hint, `no hint in ${adapter!.logs()}`);
    assert.doesNotMatch(hint[1]!, /custom\.metrics\.k8s\.io/);
    const out = await get(hint[1]!);
    assert.equal(out.code, 0, out.stderr);
  });

  test('the value and its label variant; the last good value while the endpoint fails, 503 after the staleness limit, then recovery', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const path = `${external}/namespaces/default/queue_length`;
    await eventually(
      () => get(path),
      (out) => assert.deepEqual(items(out), [[{}, '7']]),
    );
    assert.deepEqual(items(await get(`${path}?labelSelector=priority%3Dhigh`)), [[{ priority: 'high' }, '2']]);
    answer = { status: 200, body: { length: 12 } };
    await eventually(
      () => get(path),
      (out) => assert.deepEqual(items(out), [[{}, '12']]),
    );
    answer = { status: 500, body: { error: 'queue down' } };
    assert.deepEqual(items(await get(path)), [[{}, '12']], 'the last good value is served while the endpoint fails');
    await eventually(
      () => get(path),
      (out) => {
        assert.notEqual(out.code, 0);
        assert.match(out.stderr, /ServiceUnavailable/);
      },
    );
    assert.doesNotMatch((await get(path)).stderr, /answered 500/, 'the failure detail stays in the log');
    assert.match(adapter.logs(), /metric function queue_length failed: http:\/\/127\.0\.0\.1:\d+\/queue answered 500/);
    answer = { status: 200, body: { length: 5 } };
    await eventually(
      () => get(path),
      (out) => assert.deepEqual(items(out), [[{}, '5']]),
    );
  });
});

describe('examples/event-stream.ts: a metric fed by an event stream', () => {
  let adapter: AdapterProcess & { stdin: NodeJS.WritableStream };
  const get = reader(() => adapter);
  before(async () => {
    if (kubectl !== undefined) adapter = await startExample('event-stream.ts');
  });
  after(async () => adapter?.stop());

  test('each event refreshes the metric: the sum without a selector, one variant per region', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const path = `${external}/namespaces/default/jobs_waiting`;
    assert.deepEqual(items(await get(path)), [[{}, '0']]);
    adapter.stdin.write('{"region":"eu","waiting":12}\n{"region":"us","waiting":3}\nnot json\n');
    await eventually(
      () => get(path),
      (out) => assert.deepEqual(items(out), [[{}, '15']]),
    );
    assert.deepEqual(items(await get(`${path}?labelSelector=region%3Deu`)), [[{ region: 'eu' }, '12']]);
    assert.deepEqual(items(await get(`${path}?labelSelector=region%20in%20(eu,us)`)), [
      [{ region: 'eu' }, '12'],
      [{ region: 'us' }, '3'],
    ]);
    adapter.stdin.write('{"region":"eu","waiting":1}\n');
    await eventually(
      () => get(`${path}?labelSelector=region%3Deu`),
      (out) => assert.deepEqual(items(out), [[{ region: 'eu' }, '1']]),
    );
    assert.match(adapter.logs(), /ignoring a line that is not a JSON event: not json/);
  });
});
