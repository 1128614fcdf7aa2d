/**
 * `sysdig.mode: promql` against the loopback fake Sysdig over TLS (test/helpers/fake-sysdig.ts, PromQL side in
 * fake-sysdig-promql.ts): the Prometheus back end's rules, discovery and providers reach `<url>/prometheus/api/v1/*`
 * with the Sysdig token as a bearer token; a bad token is a 503 that names it and never shows it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { StatusError } from '../../src/api/errors.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import type { CustomMetricInfo } from '../../src/providers/provider.js';
import sysdigBackend from '../../src/providers/sysdig/index.js';
import { everything, parseSelector } from '../../src/selector/index.js';
import { startFakeSysdig, type FakeSysdig } from '../helpers/fake-sysdig.js';

const ctx = { signal: new AbortController().signal };
const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'net_http_request_count',
};

const promql = {
  rules: [
    {
      seriesQuery: '{__name__=~"^sysdig_container_net_http_request_count$",kube_namespace_name!="",kube_pod_name!=""}',
      resources: { overrides: { kube_namespace_name: { resource: 'namespace' }, kube_pod_name: { resource: 'pod' } } },
      name: { matches: '^sysdig_container_(.*)$', as: '${1}' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [
    {
      seriesQuery: 'sysdig_container_net_http_request_count{kube_service_name!=""}',
      resources: { overrides: { kube_namespace_name: { resource: 'namespace' } } },
      name: { as: 'http_requests_by_service' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (kube_service_name)',
    },
  ],
};

function pod(name: string, requests: number) {
  return {
    labels: { 'kubernetes.namespace.name': 'shop', 'kubernetes.service.name': 'web', 'kubernetes.pod.name': name },
    values: { 'net.http.request.count': requests },
  };
}

describe('sysdig back end, mode: promql', () => {
  let fake: FakeSysdig;
  let log = '';
  const logger = createLogger({
    format: 'json',
    verbosity: 0,
    destination: new Writable({ write: (chunk, _e, done) => ((log += String(chunk)), done()) }),
  });
  const open: Backend[] = [];

  async function create(token: string): Promise<Backend> {
    const saved = process.env.SYSDIG_PROMQL_TEST_TOKEN;
    process.env.SYSDIG_PROMQL_TEST_TOKEN = token;
    try {
      const config = sysdigBackend.configSchema.parse({
        url: fake.url,
        caFile: fake.caFile,
        tokenEnv: 'SYSDIG_PROMQL_TEST_TOKEN',
        timeout: '2s',
        mode: 'promql',
        promql,
      });
      const backend = await sysdigBackend.create(config, {}, { logger, resourceMapper: createStaticResourceMapper() });
      open.push(backend);
      return backend;
    } finally {
      if (saved === undefined) delete process.env.SYSDIG_PROMQL_TEST_TOKEN;
      else process.env.SYSDIG_PROMQL_TEST_TOKEN = saved;
    }
  }

  before(async () => {
    fake = await startFakeSysdig();
    fake.entities = [pod('web-1', 4), pod('web-2', 6)];
  });
  after(async () => {
    for (const backend of open) await backend.close();
    await fake.close();
  });

  test('a Pods query and an external metric are one PromQL query each, with the token as a bearer token', async () => {
    const backend = await create(fake.token);
    const values = await backend.custom!.getMetricBySelector('shop', everything, pods, everything, ctx);
    assert.deepEqual(values.map((v) => [v.describedObject.name, v.value]).sort(), [
      ['web-1', '4'],
      ['web-2', '6'],
    ]);
    assert.deepEqual(
      backend
        .custom!.listAllMetrics()
        .map((m) => `${m.groupResource.resource}/${m.metric}`)
        .sort(),
      ['namespaces/net_http_request_count', 'pods/net_http_request_count'],
    );

    const external = await backend.external!.getExternalMetric(
      'shop',
      parseSelector('kube_service_name=web'),
      { metric: 'http_requests_by_service' },
      ctx,
    );
    assert.deepEqual(
      external.map((v) => [v.metricLabels, v.value]),
      [[{ kube_service_name: 'web' }, '10']],
    );

    assert.deepEqual(fake.promqlQueries(), [
      'sum(sysdig_container_net_http_request_count{kube_namespace_name="shop",kube_pod_name=~".+"}) by (kube_pod_name)',
      'sum(sysdig_container_net_http_request_count{kube_service_name="web",kube_namespace_name="shop"}) by (kube_service_name)',
    ]);
    const sysdigCalls = fake.requests.filter((r) => r.path.startsWith('/prometheus/'));
    assert.ok(
      sysdigCalls.some((r) => r.path.startsWith('/prometheus/api/v1/series?')),
      'discovery lists the series',
    );
    assert.ok(sysdigCalls.every((r) => r.authorization === `Bearer ${fake.token}`));
    assert.equal(fake.dataRequests().length, 0, 'no Data API call in promql mode');
    assert.equal(backend.readiness().ready, true);
    assert.equal(backend.health!()[0]!.ready, true);
  });

  test('a bad token is a 503 naming the token setting, and the token is never logged', async () => {
    const backend = await create('not-the-token-41c2');
    await assert.rejects(
      Promise.resolve(backend.custom!.getMetricBySelector('shop', everything, pods, everything, ctx)),
      (error: unknown) => {
        assert.ok(error instanceof StatusError, String(error));
        assert.equal(error.code, 503);
        return true;
      },
    );
    assert.match(
      log,
      /Sysdig's PromQL API answered HTTP 401 \(the credentials were refused: check the Sysdig API token in the Secret \(SDC_TOKEN or tokenFile\)\)/,
    );
    assert.equal(backend.health!()[0]!.ready, false);
    assert.ok(!log.includes('not-the-token-41c2') && !log.includes(fake.token), 'no token in the log');
  });
});
