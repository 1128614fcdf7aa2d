import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';

type TestAdapter = Awaited<ReturnType<typeof createMemoryAdapter>>;
const custom = '/apis/custom.metrics.k8s.io';
const external = '/apis/external.metrics.k8s.io/v1beta1';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | undefined>;
}
interface ListBody {
  kind: string;
  items: { describedObject: { name: string }; metric?: { name: string }; metricName?: string; value: string }[];
}
interface StatusBody {
  reason: string;
  message: string;
  code: number;
}

/** Every request goes over a real socket, as a client's does, through the server's one front door. */
describe('answers as Kubernetes gives them to every client', () => {
  let adapter: TestAdapter;
  let base: string;

  async function overSocket(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string> = {},
    body?: string | Buffer,
  ): Promise<Answer> {
    // NB: a Buffer, because fetch labels a string body text/plain.
    const viaSocket = await fetch(base + path, {
      method,
      headers,
      ...(body !== undefined ? { body: Buffer.from(body) } : {}),
    });
    const socket: Answer = {
      status: viaSocket.status,
      body: await viaSocket.text(),
      headers: Object.fromEntries(viaSocket.headers),
    };
    assert.ok(
      typeof socket.headers['audit-id'] === 'string' && socket.headers['audit-id'] !== '',
      `audit-id of ${path}`,
    );
    return socket;
  }

  before(async () => {
    adapter = await createMemoryAdapter();
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app=web', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-1/queue_depth', '"7"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app=web', '2'],
      ['/write-metrics/nodes/node-1/temperature', '"45"'],
      ['/write-metrics/namespaces/team-a/metrics/queue_length', '42'],
      ['/write-external-metrics/queue?labels=q=a', '"5"'],
    ] as const)
      assert.equal((await adapter.post(path, body)).statusCode, 200);
    await adapter.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(adapter.server.server.address() as AddressInfo).port}`;
  });
  after(() => adapter.close());

  describe('an escaped slash inside a segment separates segments, as in Go (Python client, client-node CustomObjectsApi)', () => {
    test('a plural of pods/*/metric is the selector form', async () => {
      const answer = await overSocket(
        'GET',
        `${custom}/v1beta2/namespaces/default/pods%2F%2A%2Fhttp_requests?labelSelector=app%3Dweb`,
      );
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(
        (JSON.parse(answer.body) as ListBody).items.map((i) => i.describedObject.name),
        ['web-1', 'web-2'],
      );
    });
    test('a name of object/metric is the named form', async () => {
      const answer = await overSocket('GET', `${custom}/v1beta1/namespaces/default/pods/web-1%2Fhttp_requests`);
      assert.equal(answer.status, 200, answer.body);
      assert.equal((JSON.parse(answer.body) as ListBody).items[0]!.value, '300m');
    });
    test('cluster-scoped objects and the namespace form', async () => {
      assert.equal((await overSocket('GET', `${custom}/v1beta2/nodes%2F%2A%2Ftemperature`)).status, 200);
      assert.equal((await overSocket('GET', `${custom}/v1beta2/nodes/node-1%2Ftemperature`)).status, 200);
      assert.equal((await overSocket('GET', `${custom}/v1beta2/namespaces/team-a/metrics%2Fqueue_length`)).status, 200);
    });
    test('a literal star, %2A and %2a are the same', async () => {
      const bodies = new Set<string>();
      for (const star of ['*', '%2A', '%2a'])
        bodies.add((await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/${star}/http_requests`)).body);
      assert.equal(bodies.size, 1);
    });
    test('a malformed escape is 400', async () => {
      assert.equal(
        (await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/%zz/http_requests`)).status,
        400,
      );
    });
  });

  describe('a metric the server does not serve is 404 on the selector form too (prometheus-adapter)', () => {
    test('namespaced and cluster-scoped', async () => {
      let answer = await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/*/nope?labelSelector=app%3Dweb`);
      assert.equal(answer.status, 404);
      assert.equal(
        (JSON.parse(answer.body) as StatusBody).message,
        'the server could not find the metric nope for pods',
      );
      answer = await overSocket('GET', `${custom}/v1beta1/nodes/*/nope`);
      assert.equal(answer.status, 404);
      assert.equal(
        (JSON.parse(answer.body) as StatusBody).message,
        'the server could not find the metric nope for nodes',
      );
    });
    test('a served metric that no object matches is still an empty list', async () => {
      const answer = await overSocket(
        'GET',
        `${custom}/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Dnone`,
      );
      assert.equal(answer.status, 200);
      assert.deepEqual((JSON.parse(answer.body) as ListBody).items, []);
    });
  });

  describe("every metric of one object (the per-object list, the CMAS test adapter's README)", () => {
    test('a namespaced object lists its metrics in name order', async () => {
      const answer = await overSocket('GET', `${custom}/v1beta1/namespaces/default/pods/web-1/`);
      assert.equal(answer.status, 200, answer.body);
      const list = JSON.parse(answer.body) as ListBody;
      assert.equal(list.kind, 'MetricValueList');
      assert.deepEqual(
        list.items.map((i) => [i.metricName, i.value]),
        [
          ['http_requests', '300m'],
          ['queue_depth', '7'],
        ],
      );
      const v2 = JSON.parse(
        (await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/web-2/`)).body,
      ) as ListBody;
      assert.deepEqual(
        v2.items.map((i) => [i.metric?.name, i.value]),
        [['http_requests', '2']],
      );
    });
    test('cluster-scoped objects and namespaces', async () => {
      const node = JSON.parse((await overSocket('GET', `${custom}/v1beta2/nodes/node-1/`)).body) as ListBody;
      assert.deepEqual(
        node.items.map((i) => i.metric?.name),
        ['temperature'],
      );
      for (const path of ['namespaces/team-a/metrics/', 'namespaces/team-a/']) {
        const answer = await overSocket('GET', `${custom}/v1beta2/${path}`);
        assert.equal(answer.status, 200, path);
        assert.deepEqual(
          (JSON.parse(answer.body) as ListBody).items.map((i) => i.metric?.name),
          ['queue_length'],
          path,
        );
      }
    });
    test('an object with no metric is 404', async () => {
      const answer = await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/nobody/`);
      assert.equal(answer.status, 404);
      assert.equal(
        (JSON.parse(answer.body) as StatusBody).message,
        'the server could not find any metric for pods nobody',
      );
    });
  });

  describe("a write labelled as curl's form default, or unlabelled, is read as JSON", () => {
    for (const headers of [{ 'content-type': 'application/x-www-form-urlencoded' }, {}] as Record<string, string>[]) {
      test(JSON.stringify(headers), async () => {
        const answer = await overSocket(
          'POST',
          '/write-metrics/namespaces/default/pods/curl-pod/my_custom_metric',
          headers,
          '"42"',
        );
        assert.equal(answer.status, 200, answer.body);
        const read = await overSocket('GET', `${custom}/v1beta1/namespaces/default/pods/curl-pod/my_custom_metric`);
        assert.equal((JSON.parse(read.body) as ListBody).items[0]!.value, '42');
      });
    }
    test('a form body that is no JSON quantity is 400 naming it', async () => {
      const answer = await overSocket(
        'POST',
        '/write-metrics/namespaces/default/pods/curl-pod/my_custom_metric',
        { 'content-type': 'application/x-www-form-urlencoded' },
        'value=42',
      );
      assert.equal(answer.status, 400);
      assert.equal((JSON.parse(answer.body) as StatusBody).reason, 'BadRequest');
    });
    test('another media type is still 415', async () => {
      const answer = await overSocket(
        'POST',
        '/write-metrics/namespaces/default/pods/curl-pod/my_custom_metric',
        { 'content-type': 'text/plain' },
        '"42"',
      );
      assert.equal(answer.status, 415);
    });
    test('a compressed body is 415 naming its Content-Encoding, and the stored value stays', async () => {
      const path = '/write-metrics/namespaces/default/pods/gzip-pod/my_custom_metric';
      assert.equal((await overSocket('POST', path, { 'content-type': 'application/json' }, '"7"')).status, 200);
      const answer = await overSocket(
        'POST',
        path,
        { 'content-type': 'application/json', 'content-encoding': 'GZip ' },
        gzipSync('"42"'),
      );
      assert.equal(answer.status, 415, answer.body);
      const status = JSON.parse(answer.body) as StatusBody;
      assert.equal(status.reason, 'UnsupportedMediaType');
      assert.equal(status.message, 'unsupported Content-Encoding "gzip": write bodies are sent uncompressed');
      const identity = await overSocket('POST', path, { 'content-encoding': 'identity' }, '"8"');
      assert.equal(identity.status, 200, identity.body);
      const read = await overSocket('GET', `${custom}/v1beta1/namespaces/default/pods/gzip-pod/my_custom_metric`);
      assert.equal((JSON.parse(read.body) as ListBody).items[0]!.value, '8');
    });
  });

  test('a failed request under a served group is counted under that group, an unknown group under none', async () => {
    const count = async (group: string, version: string, code: number) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('metrics_adapter_requests_total{') &&
            l.includes(`group="${group}"`) &&
            l.includes(`version="${version}"`) &&
            l.includes(`code="${code}"`),
        );
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    const before = await count('custom.metrics.k8s.io', 'v1beta2', 404);
    await overSocket('GET', `${custom}/v1beta2/namespaces/default/pods/nobody/http_requests`);
    assert.equal(await count('custom.metrics.k8s.io', 'v1beta2', 404), before + 1);
    const text = await (await fetch(`${base}/metrics`)).text();
    await overSocket('GET', '/apis/made.up.group/v1/x');
    assert.equal((await (await fetch(`${base}/metrics`)).text()).includes('made.up.group'), false);
    assert.equal(text.includes('made.up.group'), false);
  });

  describe('the headers kube-apiserver adds (spec §11)', () => {
    test('Cache-Control: no-cache, private on answers and errors', async () => {
      for (const path of [
        `${custom}/v1beta2`,
        `${external}/namespaces/default/queue`,
        `${custom}/v1beta2/namespaces/default/pods/*/nope`,
        '/healthz',
      ]) {
        const answer = await overSocket('GET', path);
        assert.equal(answer.headers['cache-control'], 'no-cache, private', path);
      }
    });
    test('Audit-Id echoes the request, or is a new UUID', async () => {
      const echoed = await overSocket('GET', `${custom}/v1beta2`, {
        'audit-id': '4bd0bd4c-8f4a-4a57-9b1c-9c2b1f0b8d11',
      });
      assert.equal(echoed.headers['audit-id'], '4bd0bd4c-8f4a-4a57-9b1c-9c2b1f0b8d11');
      const first = await overSocket('GET', `${custom}/v1beta2`);
      const second = await overSocket('GET', `${custom}/v1beta2`);
      assert.match(
        first.headers['audit-id'] ?? '',
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      assert.notEqual(first.headers['audit-id'], second.headers['audit-id']);
      const write = await overSocket(
        'POST',
        '/write-metrics/namespaces/default/pods/web-1/http_requests',
        { 'content-type': 'application/json', 'audit-id': 'abc' },
        '"1"',
      );
      assert.equal(write.headers['audit-id'], 'abc');
    });
  });
});
