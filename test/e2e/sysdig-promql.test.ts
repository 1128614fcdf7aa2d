/**
 * End to end: `metrics-adapter serve --backend sysdig` with `mode: promql` and prometheus-adapter rules under
 * `sysdig.promql`, the token in `SDC_TOKEN`, against the loopback fake Sysdig's PromQL API
 * (test/helpers/fake-sysdig-promql.ts), read through kubectl 1.35: a Pods metric and an external metric, the exact
 * PromQL Sysdig received, and the token kept out of the log. `config check` names the file, line and key of a bad rule.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startFakeSysdig, type FakeSysdig } from '../helpers/fake-sysdig.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';

// prometheus-adapter's rules, as in its own file, indented under sysdig.promql.
const config = (metricsQuery: string) => `backend: sysdig
sysdig:
  mode: promql
  promql:
    metricsRelistInterval: 1m
    rules:
    - seriesQuery: '{__name__=~"^sysdig_container_net_http_request_count$",kube_namespace_name!="",kube_pod_name!=""}'
      resources:
        overrides:
          kube_namespace_name: {resource: "namespace"}
          kube_pod_name: {resource: "pod"}
      name:
        matches: "^sysdig_container_(.*)$"
        as: "\${1}"
      metricsQuery: '${metricsQuery}'
    externalRules:
    - seriesQuery: 'sysdig_container_net_http_request_count{kube_service_name!=""}'
      resources:
        overrides:
          kube_namespace_name: {resource: "namespace"}
      name: {as: "http_requests_by_service"}
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (kube_service_name)'
`;

function pod(name: string, requests: number) {
  return {
    labels: {
      'kubernetes.namespace.name': 'default',
      'kubernetes.service.name': 'kuard',
      'kubernetes.pod.name': name,
      'kubernetes.pod.label.app': 'kuard',
    },
    values: { 'net.http.request.count': requests },
  };
}

type Items = {
  items: { describedObject?: { kind: string; name: string }; metricLabels?: Record<string, string>; value: string }[];
};

describe('sysdig back end, mode: promql, through kubectl', () => {
  let fake: FakeSysdig;
  let adapter: AdapterProcess;
  let dir: string;
  let kubectl: string | undefined;

  before(async () => {
    fake = await startFakeSysdig();
    fake.entities = [pod('kuard-1', 40), pod('kuard-2', 60)];
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-sysdig-promql-'));
    await writeFile(join(dir, 'adapter.yaml'), config('sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'));
    kubectl = await findKubectl();
    adapter = await startAdapter(
      [
        '--backend',
        'sysdig',
        '--config',
        join(dir, 'adapter.yaml'),
        '--sysdig-url',
        fake.url,
        '--sysdig-ca-file',
        fake.caFile,
      ],
      { env: { SDC_TOKEN: fake.token } },
    );
  });
  after(async () => {
    await adapter?.stop();
    await fake?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("a Pods metric and an external metric are answered from Sysdig's PromQL API", async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const read = async (path: string): Promise<Items> => {
      const res = await kubectlGetRaw(kubectl!, { server: adapter.url, caFile: adapter.caFile, path });
      assert.equal(res.code, 0, res.stderr);
      return JSON.parse(res.stdout) as Items;
    };

    fake.requests.length = 0;
    const pods = await read('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/net_http_request_count');
    assert.deepEqual(pods.items.map((i) => [i.describedObject?.kind, i.describedObject?.name, i.value]).sort(), [
      ['Pod', 'kuard-1', '40'],
      ['Pod', 'kuard-2', '60'],
    ]);
    const external = await read(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/http_requests_by_service?labelSelector=kube_service_name%3Dkuard',
    );
    assert.deepEqual(
      external.items.map((i) => [i.metricLabels, i.value]),
      [[{ kube_service_name: 'kuard' }, '100']],
    );

    assert.deepEqual(fake.promqlQueries(), [
      'sum(sysdig_container_net_http_request_count{kube_namespace_name="default",kube_pod_name=~".+"}) by (kube_pod_name)',
      'sum(sysdig_container_net_http_request_count{kube_service_name="kuard",kube_namespace_name="default"}) by (kube_service_name)',
    ]);
    assert.ok(fake.requests.every((r) => r.authorization === `Bearer ${fake.token}`));
    assert.equal(fake.dataRequests().length, 0);

    const discovery = await read('/apis/custom.metrics.k8s.io/v1beta2');
    assert.ok(JSON.stringify(discovery).includes('"pods/net_http_request_count"'));
    assert.ok(!adapter.logs().includes(fake.token), 'the token is never logged');
  });

  test('config check names the file, line and key of a bad rule under sysdig.promql', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, config('sum(<<.Series>>{<<.LabelMatcher>>})'));
    const result = await runCli(['config', 'check', file]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:15: sysdig\\.promql\\.rules\\.0\\.metricsQuery: bad metricsQuery template`,
      ),
    );
    const good = await runCli(['config', 'check', join(dir, 'adapter.yaml')]);
    assert.equal(good.code, 0, good.stderr);
  });
});
