/**
 * End to end: `metrics-adapter serve --backend sysdig --sysdig-url <fake>` in a child process, the token in
 * `SDC_TOKEN`, against the loopback fake Sysdig (test/helpers/fake-sysdig.ts), read through kubectl 1.35 the
 * way the HPA reads it: an Object metric of a Service, a Pods metric, an external metric; and a bad token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { startFakeSysdig, type FakeSysdig } from '../helpers/fake-sysdig.js';

const custom = '/apis/custom.metrics.k8s.io/v1beta2';
const entities = [
  'kubernetes.cluster',
  'kubernetes.namespace',
  'kubernetes.deployment',
  'kubernetes.service',
  'kubernetes.pod',
];

function pod(name: string, requests: number) {
  return {
    labels: {
      'kubernetes.cluster.name': 'prod',
      'kubernetes.namespace.name': 'default',
      'kubernetes.service.name': 'kuard',
      'kubernetes.deployment.name': 'kuard',
      'kubernetes.pod.name': name,
      'kubernetes.pod.label.app': 'kuard',
    },
    values: { 'net.http.request.count': requests },
  };
}

describe('sysdig back end through kubectl', () => {
  let fake: FakeSysdig;
  let adapter: AdapterProcess;
  let kubectl: string | undefined;

  before(async () => {
    fake = await startFakeSysdig();
    fake.entities = [pod('kuard-1', 40), pod('kuard-2', 60), pod('kuard-3', 110)];
    fake.descriptors = [{ id: 'net.http.request.count', metricType: 'counter', namespaces: entities }];
    kubectl = await findKubectl();
    adapter = await startAdapter(
      [
        '--backend',
        'sysdig',
        '--sysdig-url',
        fake.url,
        '--sysdig-ca-file',
        fake.caFile,
        '--sysdig-cluster-name',
        'prod',
      ],
      { env: { SDC_TOKEN: fake.token } },
    );
  });
  after(async () => {
    await adapter?.stop();
    await fake?.close();
  });

  test('an Object metric of a Service, a Pods metric and an external metric come back with the values Sysdig computed', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const read = (path: string) => kubectlGetRaw(kubectl!, { server: adapter.url, caFile: adapter.caFile, path });

    fake.requests.length = 0;
    const object = await read(`${custom}/namespaces/default/services/kuard/net.http.request.count`);
    assert.equal(object.code, 0, object.stderr);
    const item = (
      JSON.parse(object.stdout) as { items: { describedObject: unknown; value: string; windowSeconds: number }[] }
    ).items[0]!;
    assert.deepEqual(item.describedObject, { kind: 'Service', namespace: 'default', name: 'kuard', apiVersion: 'v1' });
    assert.equal(item.value, '70');
    assert.equal(item.windowSeconds, 60);
    assert.deepEqual(fake.dataRequests(), [
      {
        metrics: [{ id: 'net.http.request.count', aggregations: { time: 'avg', group: 'avg' } }],
        last: 60,
        filter:
          "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'default' and kubernetes.service.name = 'kuard'",
      },
    ]);

    fake.requests.length = 0;
    const podsRead = await read(`${custom}/namespaces/default/pods/*/net.http.request.count?labelSelector=app%3Dkuard`);
    assert.equal(podsRead.code, 0, podsRead.stderr);
    const values = (
      JSON.parse(podsRead.stdout) as { items: { describedObject: { name: string }; value: string }[] }
    ).items
      .map((i) => [i.describedObject.name, i.value])
      .sort();
    assert.deepEqual(values, [
      ['kuard-1', '40'],
      ['kuard-2', '60'],
      ['kuard-3', '110'],
    ]);
    assert.equal(fake.dataRequests().length, 1, 'one Sysdig request for every pod');
    assert.equal(
      fake.dataRequests()[0]!.filter,
      "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'default' and kubernetes.pod.label.app = 'kuard'",
    );

    const external = await read(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/net.http.request.count?labelSelector=kubernetes.service.name%3Dkuard',
    );
    assert.equal(external.code, 0, external.stderr);
    const series = (JSON.parse(external.stdout) as { items: { metricLabels: unknown; value: string }[] }).items;
    assert.deepEqual(
      series.map((s) => [s.metricLabels, s.value]),
      [[{ 'kubernetes.service.name': 'kuard' }, '70']],
    );

    const discovery = await read(custom);
    assert.equal(discovery.code, 0, discovery.stderr);
    assert.ok(discovery.stdout.includes('"services/net.http.request.count"'));

    assert.ok(!adapter.logs().includes(fake.token), 'the token is never logged');
  });

  test('a bad token is one clear line in the log at start and a 503 naming the cause', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const bad = await startAdapter(['--backend', 'sysdig', '--sysdig-url', fake.url, '--sysdig-ca-file', fake.caFile], {
      env: { SDC_TOKEN: 'not-the-token-7e1f' },
    });
    try {
      const lines = bad
        .logs()
        .split('\n')
        .filter((l) => l.includes('rejected the API token'));
      assert.equal(lines.length, 1, bad.logs());
      const res = await kubectlGetRaw(kubectl, {
        server: bad.url,
        caFile: bad.caFile,
        path: `${custom}/namespaces/default/services/kuard/net.http.request.count`,
      });
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /ServiceUnavailable.*the Sysdig API rejected the API token \(HTTP 401\)/);
      assert.ok(!bad.logs().includes('not-the-token-7e1f'), 'the token is never logged');
    } finally {
      await bad.stop();
    }
  });
});
