import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';

type TestAdapter = Awaited<ReturnType<typeof createMemoryAdapter>>;
const custom = '/apis/custom.metrics.k8s.io';
const external = '/apis/external.metrics.k8s.io/v1beta1';

interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  reason: string;
  code: number;
  message: string;
  details?: unknown;
}

function status(body: string): StatusBody {
  return JSON.parse(body) as StatusBody;
}

describe('metrics API routes on the memory back end', () => {
  let adapter: TestAdapter;
  before(async () => {
    adapter = await createMemoryAdapter();
    const writes: [string, string][] = [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app=web,tier=front', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app=web,tier=back', '2'],
      ['/write-metrics/namespaces/default/pods/db-1/http_requests?objectLabels=app=db', '"5"'],
      ['/write-metrics/namespaces/other/pods/web-9/http_requests?objectLabels=app=web', '"9"'],
      ['/write-metrics/namespaces/default/services/kubernetes/test-metric?labels=method=GET', '"300m"'],
      ['/write-metrics/nodes/node-1/temperature?objectLabels=zone=a', '"45.5"'],
      ['/write-metrics/namespaces/team-a/metrics/queue_length', '42'],
      ['/write-metrics/namespaces/default/deployments/web/queue_length', '"1.5Gi"'],
      ['/write-external-metrics/queue_messages_ready?labels=queue=worker', '"95"'],
      ['/write-external-metrics/queue_messages_ready?labels=queue=mailer', '"5"'],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue=mailer', '"7"'],
    ];
    for (const [path, body] of writes) {
      const res = await adapter.post(path, body);
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
    }
  });
  after(() => adapter.close());

  describe('rejections', () => {
    test('unknown paths are 404 NotFound Status with empty details, as the generic apiserver answers', async () => {
      for (const path of [
        `${custom}/v1beta1/nodes/foo`,
        `${custom}/v1beta1/namespaces/ns/pods/bar`,
        `${custom}/v1beta1/blah`,
        `${custom}/v1beta3/nodes/a/b`,
        '/openapi/v3/apis/unknown/v1',
        `${external}/queue`,
        `${external}/namespaces/foo`,
        `${external}/namespaces/foo/group/metric`,
        '/apis/metrics.k8s.io',
      ]) {
        const res = await adapter.get(path);
        assert.equal(res.statusCode, 404, path);
        assert.equal(
          res.body,
          '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n',
          path,
        );
      }
    });

    test('a short path under namespaces is 400 invalid request path', async () => {
      const res = await adapter.get(`${custom}/v1beta1/namespaces/default/pods`);
      assert.equal(res.statusCode, 400);
      assert.deepEqual(status(res.body), {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'invalid request path',
        reason: 'BadRequest',
        code: 400,
      });
    });

    test('a bad labelSelector or metricLabelSelector is 400 BadRequest naming the problem', async () => {
      for (const query of ['labelSelector=app%3D%3D%3Dweb', 'labelSelector=app+in+(a', 'metricLabelSelector=%21%21x']) {
        const res = await adapter.get(`${custom}/v1beta2/namespaces/default/pods/%2A/http_requests?${query}`);
        assert.equal(res.statusCode, 400, query);
        const body = status(res.body);
        assert.equal(body.reason, 'BadRequest');
        assert.ok(body.message.length > 0);
      }
      const ext = await adapter.get(`${external}/namespaces/default/queue_messages_ready?labelSelector=%3D%3D`);
      assert.equal(ext.statusCode, 400);
    });

    test('a missing metric is 404 with the CMAS message', async () => {
      let res = await adapter.get(`${custom}/v1beta2/namespaces/default/pods/web-1/missing`);
      assert.equal(res.statusCode, 404);
      assert.equal(status(res.body).message, 'the server could not find the metric missing for pods web-1');
      res = await adapter.get(`${custom}/v1beta2/namespaces/default/deployments.apps/web/missing`);
      assert.equal(status(res.body).message, 'the server could not find the metric missing for deployments.apps web');
      res = await adapter.get(
        `${custom}/v1beta2/namespaces/default/services/kubernetes/test-metric?metricLabelSelector=method%3DPOST`,
      );
      assert.equal(res.statusCode, 404);
      assert.equal(
        status(res.body).message,
        'the server could not find the metric test-metric for services kubernetes with selector method=POST',
      );
      res = await adapter.get(`${external}/namespaces/default/nothing`);
      assert.equal(res.statusCode, 404);
      assert.equal(status(res.body).reason, 'NotFound');
    });

    test('a wrong method is 405 MethodNotAllowed', async () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
        const res = await adapter.server.inject({
          method,
          url: `${custom}/v1beta1/namespaces/default/pods/web-1/http_requests`,
        });
        assert.equal(res.statusCode, 405, method);
        assert.equal(status(res.body).reason, 'MethodNotAllowed');
      }
      const res = await adapter.server.inject({ method: 'GET', url: '/write-metrics/namespaces/default/pods/web-1/m' });
      assert.equal(res.statusCode, 405);
    });

    test('an Accept header without JSON is 406; the HPA protobuf-first Accept gets JSON', async () => {
      const path = `${custom}/v1beta2/namespaces/default/pods/web-1/http_requests`;
      const refused = await adapter.get(path, { accept: 'application/vnd.kubernetes.protobuf' });
      assert.equal(refused.statusCode, 406);
      assert.equal(status(refused.body).reason, 'NotAcceptable');
      const hpa = await adapter.get(path, { accept: 'application/vnd.kubernetes.protobuf, */*' });
      assert.equal(hpa.statusCode, 200);
      assert.equal(hpa.headers['content-type'], 'application/json');
      const table = await adapter.get(path, {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
      });
      assert.equal(table.statusCode, 200);
    });

    test('writes refuse bad bodies, labels, names, media types and sizes, and leave the value unchanged', async () => {
      const path = '/write-metrics/namespaces/default/pods/web-1/http_requests';
      const cases: [string, string, number, string?][] = [
        [path, '"abc"', 400],
        [path, '{"value":1}', 400],
        [path, '', 400],
        [path, 'null', 400],
        [`${path}?labels=bad%20key=1`, '"1"', 400],
        [`${path}?objectLabels=a!=b`, '"1"', 400],
        ['/write-metrics/namespaces/Default/pods/web-1/m', '"1"', 400],
        ['/write-metrics/namespaces/default/pods/Web_1/m', '"1"', 400],
        [`/write-metrics/namespaces/default/pods/${'a'.repeat(254)}/m`, '"1"', 400],
        ['/write-metrics/namespaces/default/pods/web-1/%25m', '"1"', 400],
        ['/write-metrics/namespaces/default/pods/web-1', '"1"', 404],
        [path, '"1"', 415, 'text/plain'],
        [path, `"${'1'.repeat(70 * 1024)}"`, 413],
      ];
      for (const [url, body, code, type] of cases) {
        const res = await adapter.post(url, body, type);
        assert.equal(res.statusCode, code, `${url} ${body.slice(0, 20)}: ${res.body}`);
        assert.equal(status(res.body).kind, 'Status');
      }
      const read = await adapter.get(`${custom}/v1beta1/namespaces/default/pods/web-1/http_requests`);
      assert.equal((JSON.parse(read.body) as { items: { value: string }[] }).items[0]!.value, '300m');
    });
  });

  describe('reads', () => {
    test('form B (v1beta2) answers exactly the pods the selector matches, %2A or *', async () => {
      for (const star of ['%2A', '*']) {
        const res = await adapter.get(
          `${custom}/v1beta2/namespaces/default/pods/${star}/http_requests?labelSelector=app%3Dweb`,
        );
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        const body = JSON.parse(res.body) as {
          kind: string;
          apiVersion: string;
          items: { describedObject: { name: string }; value: string; metric: unknown }[];
        };
        assert.equal(body.kind, 'MetricValueList');
        assert.equal(body.apiVersion, 'custom.metrics.k8s.io/v1beta2');
        assert.deepEqual(body.items.map((i) => [i.describedObject.name, i.value]).sort(), [
          ['web-1', '300m'],
          ['web-2', '2'],
        ]);
        assert.deepEqual(body.items[0]!.metric, { name: 'http_requests', selector: null });
      }
    });

    test('form B with set-based, negative and empty selectors', async () => {
      const names = async (query: string) => {
        const res = await adapter.get(`${custom}/v1beta1/namespaces/default/pods/*/http_requests?${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return (JSON.parse(res.body) as { items: { describedObject: { name: string } }[] }).items
          .map((i) => i.describedObject.name)
          .sort();
      };
      assert.deepEqual(await names(''), ['db-1', 'web-1', 'web-2']);
      assert.deepEqual(await names('labelSelector=app+in+%28web%2Cdb%29%2Ctier%21%3Dback'), ['db-1', 'web-1']);
      assert.deepEqual(await names('labelSelector=tier'), ['web-1', 'web-2']);
      assert.deepEqual(await names('labelSelector=%21tier'), ['db-1']);
      assert.deepEqual(await names('labelSelector=app%3Dnone'), []);
    });

    test('form A in v1beta1 is byte-exact with metricName, selector and timestamp', async () => {
      const res = await adapter.get(
        `${custom}/v1beta1/namespaces/default/services/kubernetes/test-metric?metricLabelSelector=method%3DGET`,
      );
      assert.equal(res.statusCode, 200);
      const ts = (JSON.parse(res.body) as { items: { timestamp: string }[] }).items[0]!.timestamp;
      assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(
        res.body,
        `{"kind":"MetricValueList","apiVersion":"custom.metrics.k8s.io/v1beta1","metadata":{},"items":[{"describedObject":{"kind":"Service","namespace":"default","name":"kubernetes","apiVersion":"v1"},"metricName":"test-metric","timestamp":"${ts}","value":"300m","selector":{"matchLabels":{"method":"GET"}}}]}\n`,
      );
    });

    test('forms C and D address cluster-scoped objects; the HPA namespaced form finds them too', async () => {
      const one = await adapter.get(`${custom}/v1beta2/nodes/node-1/temperature`);
      assert.equal(one.statusCode, 200);
      const item = (JSON.parse(one.body) as { items: { describedObject: unknown; value: string }[] }).items[0]!;
      assert.deepEqual(item.describedObject, { kind: 'Node', name: 'node-1', apiVersion: 'v1' });
      assert.equal(item.value, '45500m');
      const all = await adapter.get(`${custom}/v1beta2/nodes/%2A/temperature?labelSelector=zone%3Da`);
      assert.equal((JSON.parse(all.body) as { items: unknown[] }).items.length, 1);
      const viaNamespace = await adapter.get(`${custom}/v1beta2/namespaces/default/nodes/node-1/temperature`);
      assert.equal(viaNamespace.statusCode, 200);
    });

    test('form E describes the namespace itself', async () => {
      const res = await adapter.get(`${custom}/v1beta2/namespaces/team-a/metrics/queue_length`);
      assert.equal(res.statusCode, 200);
      const item = (JSON.parse(res.body) as { items: { describedObject: unknown; value: string }[] }).items[0]!;
      assert.deepEqual(item.describedObject, { kind: 'Namespace', name: 'team-a', apiVersion: 'v1' });
      assert.equal(item.value, '42');
    });

    test('resources are normalized: deployments written, deployments.apps read, kind and apiVersion filled', async () => {
      const res = await adapter.get(`${custom}/v1beta2/namespaces/default/deployments.apps/web/queue_length`);
      assert.equal(res.statusCode, 200, res.body);
      const item = (JSON.parse(res.body) as { items: { describedObject: unknown; value: string }[] }).items[0]!;
      assert.deepEqual(item.describedObject, {
        kind: 'Deployment',
        namespace: 'default',
        name: 'web',
        apiVersion: 'apps/v1',
      });
      assert.equal(item.value, '1536Mi');
    });

    test('external: series visible everywhere plus namespaced ones, which shadow the same labels', async () => {
      const all = await adapter.get(`${external}/namespaces/default/queue_messages_ready`);
      assert.equal(all.statusCode, 200);
      const items = (JSON.parse(all.body) as { items: { metricLabels: Record<string, string>; value: string }[] })
        .items;
      assert.deepEqual(items.map((i) => [i.metricLabels.queue, i.value]).sort(), [
        ['mailer', '7'],
        ['worker', '95'],
      ]);
      const other = await adapter.get(`${external}/namespaces/other/queue_messages_ready?labelSelector=queue%3Dmailer`);
      const otherItems = (
        JSON.parse(other.body) as { items: { metricName: string; metricLabels: unknown; value: string }[] }
      ).items;
      assert.deepEqual(
        otherItems.map((i) => [i.metricName, i.metricLabels, i.value]),
        [['queue_messages_ready', { queue: 'mailer' }, '5']],
      );
      const none = await adapter.get(`${external}/namespaces/other/queue_messages_ready?labelSelector=queue%3Dnone`);
      assert.equal(none.statusCode, 200);
      assert.equal((JSON.parse(none.body) as { items: unknown[] }).items.length, 0);
    });

    test('pretty output for ?pretty=true and curl, compact for kubectl', async () => {
      const path = `${custom}/v1beta2/namespaces/team-a/metrics/queue_length`;
      const compact = await adapter.get(path, { 'user-agent': 'kubectl/v1.35.0 (linux/amd64)' });
      assert.ok(!compact.body.includes('\n  '));
      assert.ok(compact.body.endsWith('}\n'));
      const curl = await adapter.get(path, { 'user-agent': 'curl/8.0.1' });
      assert.ok(curl.body.startsWith('{\n  "kind": "MetricValueList",'));
      assert.deepEqual(JSON.parse(curl.body), JSON.parse(compact.body));
      const off = await adapter.get(`${path}?pretty=false`, { 'user-agent': 'curl/8.0.1' });
      assert.equal(off.body, compact.body);
    });
  });

  describe('discovery', () => {
    test('group-version documents list what was written, with CMAS names and scopes', async () => {
      const res = await adapter.get(`${custom}/v1beta1`);
      assert.equal(res.statusCode, 200);
      const body = JSON.parse(res.body) as {
        kind: string;
        groupVersion: string;
        resources: { name: string; namespaced: boolean; singularName: string; kind: string; verbs: string[] }[];
      };
      assert.equal(body.kind, 'APIResourceList');
      assert.equal(body.groupVersion, 'custom.metrics.k8s.io/v1beta1');
      const byName = new Map(body.resources.map((r) => [r.name, r]));
      assert.deepEqual(byName.get('pods/http_requests'), {
        name: 'pods/http_requests',
        singularName: '',
        namespaced: true,
        kind: 'MetricValueList',
        verbs: ['get'],
      });
      assert.equal(byName.get('namespaces/queue_length')?.namespaced, false);
      assert.equal(byName.get('nodes/temperature')?.namespaced, false);
      assert.equal(byName.get('deployments.apps/queue_length')?.namespaced, true);
      const ext = JSON.parse((await adapter.get(external)).body) as {
        resources: { name: string; kind: string; namespaced: boolean }[];
      };
      assert.deepEqual(ext.resources, [
        {
          name: 'queue_messages_ready',
          singularName: '',
          namespaced: true,
          kind: 'ExternalMetricValueList',
          verbs: ['get'],
        },
      ]);
    });

    test('an empty store still lists a placeholder resource, never an empty list', async () => {
      const empty = await createMemoryAdapter();
      try {
        const c = JSON.parse((await empty.get(`${custom}/v1beta2`)).body) as { resources: { name: string }[] };
        assert.deepEqual(
          c.resources.map((r) => r.name),
          ['custommetrics'],
        );
        const e = JSON.parse((await empty.get(external)).body) as { resources: { name: string }[] };
        assert.deepEqual(
          e.resources.map((r) => r.name),
          ['externalmetrics'],
        );
      } finally {
        await empty.close();
      }
    });

    test('/apis and /apis/{group} describe the served groups, v1beta2 preferred', async () => {
      const list = JSON.parse((await adapter.get('/apis')).body) as {
        kind: string;
        groups: { name: string; preferredVersion: { version: string } }[];
      };
      assert.equal(list.kind, 'APIGroupList');
      assert.deepEqual(
        list.groups.map((g) => [g.name, g.preferredVersion.version]),
        [
          ['custom.metrics.k8s.io', 'v1beta2'],
          ['external.metrics.k8s.io', 'v1beta1'],
        ],
      );
      const group = await adapter.get('/apis/custom.metrics.k8s.io');
      assert.equal(
        group.body,
        '{"kind":"APIGroup","apiVersion":"v1","name":"custom.metrics.k8s.io","versions":[{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"},{"groupVersion":"custom.metrics.k8s.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"custom.metrics.k8s.io/v1beta2","version":"v1beta2"}}\n',
      );
      const v2 = await adapter.get('/apis', {
        accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      });
      assert.equal(v2.statusCode, 200);
      assert.equal(v2.headers['content-type'], 'application/json');
    });
  });

  describe('health and self-metrics', () => {
    test('/healthz, /livez and /readyz answer ok, and list checks with ?verbose', async () => {
      for (const path of ['/healthz', '/livez', '/readyz']) {
        const res = await adapter.get(path);
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, 'ok');
      }
      const verbose = await adapter.get('/readyz?verbose');
      assert.equal(verbose.body, '[+]ping ok\n[+]backend ok\nreadyz check passed\n');
    });

    test('/metrics counts requests by verb, group, version and code, and the series stored', async () => {
      await adapter.get(`${custom}/v1beta2/namespaces/default/pods/web-1/http_requests`);
      const res = await adapter.get('/metrics');
      assert.equal(res.statusCode, 200);
      assert.match(
        res.body,
        /metrics_adapter_requests_total\{verb="GET",group="custom.metrics.k8s.io",version="v1beta2",code="200"\} \d+/,
      );
      assert.match(
        res.body,
        /metrics_adapter_request_duration_seconds_bucket\{le="0.005",verb="GET",group="custom.metrics.k8s.io",version="v1beta2"\}/,
      );
      assert.match(res.body, /metrics_adapter_series\{api="custom"\} 8/);
      assert.match(res.body, /metrics_adapter_series\{api="external"\} 3/);
    });
  });
});
