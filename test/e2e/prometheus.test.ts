/**
 * End to end with a real Prometheus: an exporter with per-pod series, Prometheus scraping it every second, a counting
 * proxy in front of Prometheus, and `metrics-adapter serve --backend prometheus` with a prometheus-adapter rules file,
 * read with a real kubectl 1.35. Skipped when the prometheus binary is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuantity } from '../../src/quantity/index.js';
import { runCli, startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { readJson } from '../helpers/read-json.js';

const prometheusBinary = await findPrometheus();

// A rules file in prometheus-adapter's own format, used unchanged.
const rules = `rules:
- seriesQuery: '{__name__=~"^http_requests_total$",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: "namespace"}
      pod: {resource: "pod"}
  name:
    matches: "^(.*)_total$"
    as: "\${1}_per_second"
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[5s])) by (<<.GroupBy>>)'
- seriesQuery: 'queue_length{namespace!="",pod!=""}'
  resources:
    template: "<<.Resource>>"
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: 'queue_length{namespace!="",pod!=""}'
  resources:
    template: "<<.Resource>>"
  name: {as: "broken_queue_length"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>})) by (<<.GroupBy>>)'
externalRules:
- seriesQuery: '{__name__="queue_depth",name!=""}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)
  resources:
    namespaced: false
`;

type Items = { items: { describedObject?: { name: string }; metricLabels?: Record<string, string>; value: string }[] };

describe('prometheus back end against a real Prometheus', {
  skip: prometheusBinary === undefined ? 'prometheus is not installed' : false,
}, () => {
  let exporter: Exporter;
  let prometheus: PrometheusProcess;
  let proxy: CountingProxy;
  let adapter: AdapterProcess;
  let dir: string;
  let kubectl: string | undefined;
  let send: (path: string) => Promise<RawResponse>;

  const pods = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A';
  const byName = (body: Items) =>
    Object.fromEntries(
      body.items.map((item) => [item.describedObject?.name ?? JSON.stringify(item.metricLabels), item.value]),
    );
  const get = (path: string): Promise<Items> => readJson<Items>(adapter, kubectl, send, path);
  const eventually = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await probe().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`${what} did not happen in 30s; adapter log:\n${adapter?.logs().slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  before(async () => {
    exporter = await startExporter([
      {
        name: 'http_requests_total',
        type: 'counter',
        labels: { namespace: 'default', pod: 'web-1', app: 'web' },
        value: 2,
      },
      {
        name: 'http_requests_total',
        type: 'counter',
        labels: { namespace: 'default', pod: 'web-2', app: 'web' },
        value: 5,
      },
      { name: 'queue_length', type: 'gauge', labels: { namespace: 'default', pod: 'web-1', app: 'web' }, value: 3 },
      { name: 'queue_length', type: 'gauge', labels: { namespace: 'default', pod: 'web-2', app: 'web' }, value: 7.5 },
      { name: 'queue_length', type: 'gauge', labels: { namespace: 'default', pod: 'db-1', app: 'db' }, value: 11 },
      { name: 'queue_length', type: 'gauge', labels: { namespace: 'other', pod: 'web-9', app: 'web' }, value: 99 },
      { name: 'queue_depth', type: 'gauge', labels: { namespace: 'queues', name: 'worker' }, value: 42 },
      { name: 'queue_depth', type: 'gauge', labels: { namespace: 'queues', name: 'mailer' }, value: 5 },
    ]);
    prometheus = await startPrometheus(prometheusBinary!, [exporter.target]);
    proxy = await startCountingProxy(prometheus.url);
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-rules-'));
    await writeFile(join(dir, 'rules.yaml'), rules);
    kubectl = await findKubectl();
    adapter = await startAdapter([
      '--backend',
      'prometheus',
      '--config',
      join(dir, 'rules.yaml'),
      '--prometheus-url',
      proxy.url,
      // NB: max age above the pause below, so series missing a few scrapes still count.
      '--prometheus-timeout',
      '2s',
      '--metrics-relist-interval',
      '1s',
      '--metrics-max-age',
      '1m',
    ]);
    send = createClient(adapter.url, adapter.caFile);
    // NB: the rate() rule needs two scrapes inside its window.
    await eventually('two samples of each pod', async () => {
      const body = await get(`${pods}/http_requests_per_second`);
      return body.items.length === 2 ? body : undefined;
    });
  });
  after(async () => {
    await adapter?.stop();
    await proxy?.close();
    await prometheus?.close();
    await exporter?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('discovery lists the renamed metrics', async () => {
    const custom = (await get('/apis/custom.metrics.k8s.io/v1beta2')) as unknown as {
      resources: { name: string; namespaced: boolean }[];
    };
    const names = custom.resources.map((r) => `${r.name}:${r.namespaced}`).sort();
    assert.deepEqual(names, [
      // NB: as in the peer, the template <<.Resource>> also reads Prometheus' own `job` label as jobs.batch.
      'jobs.batch/broken_queue_length:true',
      'jobs.batch/queue_length:true',
      'namespaces/broken_queue_length:false',
      'namespaces/http_requests_per_second:false',
      'namespaces/queue_length:false',
      'pods/broken_queue_length:true',
      'pods/http_requests_per_second:true',
      'pods/queue_length:true',
    ]);
    const external = (await get('/apis/external.metrics.k8s.io/v1beta1')) as unknown as {
      resources: { name: string }[];
    };
    assert.deepEqual(
      external.resources.map((r) => r.name),
      ['queue_depth'],
    );
  });

  test('the HPA pods query gives each pod its value; labelSelector matches the series labels', async () => {
    assert.deepEqual(byName(await get(`${pods}/queue_length?labelSelector=app%3Dweb`)), {
      'web-1': '3',
      'web-2': '7500m',
    });
    assert.deepEqual(byName(await get(`${pods}/queue_length`)), { 'web-1': '3', 'web-2': '7500m', 'db-1': '11' });
    assert.deepEqual(
      byName(await get('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/db-1/queue_length')),
      { 'db-1': '11' },
    );
    assert.deepEqual(byName(await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/metrics/queue_length')), {
      default: '21500m',
    });
  });

  test('a rate() rule gives per-second rates', async () => {
    const perSecond = (quantity: string | undefined) => Number(parseQuantity(quantity ?? '0').milliValue()) / 1000;
    // NB: rate() divides by its whole window, so it is exact only once the 5s window is full of samples.
    const values = await eventually('a full rate window', async () => {
      const got = byName(await get(`${pods}/http_requests_per_second?labelSelector=app%3Dweb`));
      // NB: both pods at once: on a loaded machine one pod's window can fill a scrape later than the other's.
      return Math.abs(perSecond(got['web-1']) - 2) < 0.3 && Math.abs(perSecond(got['web-2']) - 5) < 0.6
        ? got
        : undefined;
    });
    assert.deepEqual(Object.keys(values).sort(), ['web-1', 'web-2']);
  });

  test('externalRules with label selectors, namespaced: false', async () => {
    const one = await get(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth?labelSelector=name%3Dworker',
    );
    assert.deepEqual(
      one.items.map((i) => [i.metricLabels, i.value]),
      [[{ name: 'worker' }, '42']],
    );
    const all = await get('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth');
    assert.deepEqual(all.items.map((i) => i.value).sort(), ['42', '5']);
  });

  test('one PromQL query per request, whatever the number of pods', async () => {
    for (const path of [
      `${pods}/queue_length`,
      `${pods}/queue_length?labelSelector=app%3Dweb`,
      `${pods}/http_requests_per_second`,
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_depth',
    ]) {
      const before = proxy.count('/api/v1/query');
      const res = await send(path);
      assert.equal(res.status, 200, res.body);
      assert.equal(proxy.count('/api/v1/query') - before, 1, path);
    }
  });

  test('a query Prometheus refuses is a 500 carrying its error text', async () => {
    const res = await send(`${pods}/broken_queue_length`);
    assert.equal(res.status, 500, res.body);
    const status = JSON.parse(res.body) as { reason: string; message: string };
    assert.equal(status.reason, 'InternalError');
    assert.match(status.message, /Prometheus rejected the query: bad_data: .*range vector/);
  });

  test('config check validates, lists what each rule discovers and runs one sample query per rule', async () => {
    const file = join(dir, 'rules.yaml');
    const offline = await runCli(['config', 'check', file]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(offline.stdout, `${file}: valid: 3 rules, 1 external rule\n`);
    const live = await runCli(['config', 'check', file, '--prometheus-url', prometheus.url]);
    assert.equal(live.code, 1, live.stderr);
    assert.match(
      live.stdout,
      /rules\[0\]: .*\n {2}series: 2; discovers: namespaces\/http_requests_per_second, pods\/http_requests_per_second\n {2}query: sum\(rate\(http_requests_total\{namespace="default",pod=~"\.\+"\}\[5s\]\)\) by \(pod\)\n {2}result: 2 samples\n/,
    );
    assert.match(
      live.stdout,
      /rules\[2\]: [^\n]*\n {2}series: 4; discovers: [^\n]*\n {2}query: [^\n]*\n {2}error: Prometheus rejected the query: bad_data: [^\n]*range vector/,
    );
    assert.match(
      live.stdout,
      /externalRules\[0\]: [^\n]*\n {2}series: 2; discovers: queue_depth\n {2}query: sum\(queue_depth\{\}\) by \(name\)\n {2}result: 2 samples\n/,
    );
    assert.match(live.stderr, /^error: some checks against a back end failed/);
  });

  test('Prometheus slow or stopped: 503 within the deadline; back again without a restart', async () => {
    prometheus.pause();
    try {
      const started = Date.now();
      const res = await send(`${pods}/queue_length`);
      const elapsed = Date.now() - started;
      assert.equal(res.status, 503, res.body);
      assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'ServiceUnavailable');
      assert.ok(elapsed < 2000 + 3000, `answered after ${elapsed} ms with a 2s deadline`);
    } finally {
      prometheus.resume();
    }
    assert.deepEqual(byName(await get(`${pods}/queue_length?labelSelector=app%3Ddb`)), { 'db-1': '11' });

    await prometheus.stop();
    const down = await send(`${pods}/queue_length`);
    assert.equal(down.status, 503, down.body);
    // NB: readiness follows within seconds, not at the next relist.
    const stoppedAt = Date.now();
    await eventually('/readyz fails', async () => ((await send('/readyz')).status === 503 ? true : undefined));
    assert.ok(Date.now() - stoppedAt < 5000, `/readyz failed ${Date.now() - stoppedAt} ms after Prometheus stopped`);
    await prometheus.start();
    await eventually('/readyz passes again', async () => ((await send('/readyz')).status === 200 ? true : undefined));
    // NB: a restarted Prometheus answers 200 with an empty vector until its first scrape.
    const back = await eventually('answers after the restart', async () => {
      const res = await send(`${pods}/queue_length?labelSelector=app%3Ddb`);
      const body = res.status === 200 ? (JSON.parse(res.body) as Items) : undefined;
      return body !== undefined && body.items.length > 0 ? body : undefined;
    });
    assert.deepEqual(byName(back), { 'db-1': '11' });
  });
});
