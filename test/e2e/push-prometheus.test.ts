/**
 * Push ingestion end to end with a real sender: Prometheus in agent mode scrapes a small exporter every second and
 * remote-writes to `metrics-adapter serve` (memory back end, no rules written) over TLS; a real kubectl 1.35 reads
 * the values back. The exporter stamps its counters itself (the exposition format's timestamps), so the rates the
 * adapter must serve are known exactly: +5 per second is a rate of 5. Skipped when prometheus is not installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity } from '../../src/quantity/index.js';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { startScrapeTarget, type ScrapeTarget } from '../helpers/scrape-target.js';

const prometheusBinary = await findPrometheus();
const kubectl = await findKubectl();

/**
 * Counters that grow by a fixed step per scrape, stamped one second apart: `web-1` +5, `web-2` +2. After its
 * fourth scrape `web-1` restarts (its counter starts again from one step). A gauge `queue_depth` has no timestamp,
 * so Prometheus marks it stale when the exporter goes away.
 */
function startCountingExporter(): Promise<ScrapeTarget> {
  return startScrapeTarget((scrapes, ts) => {
    const web1 = 5 * (scrapes <= 4 ? scrapes : scrapes - 4);
    return [
      '# TYPE http_requests_total counter',
      `http_requests_total{namespace="shop",pod="web-1"} ${web1} ${ts}`,
      `http_requests_total{namespace="shop",pod="web-2"} ${2 * scrapes} ${ts}`,
      '# TYPE queue_depth gauge',
      'queue_depth{namespace="shop",pod="web-1"} 42',
      '',
    ].join('\n');
  });
}

describe('remote-write from a Prometheus agent', {
  skip:
    prometheusBinary === undefined
      ? 'prometheus is not installed'
      : kubectl === undefined
        ? 'kubectl 1.35 is not available'
        : false,
}, () => {
  let adapter: AdapterProcess;
  let prometheus: PrometheusProcess;
  let exporter: Awaited<ReturnType<typeof startCountingExporter>>;

  const get = async (path: string): Promise<{ code: number; body: string }> => {
    const result = await kubectlGetRaw(kubectl!, { server: adapter.url, caFile: adapter.caFile, path });
    return { code: result.code, body: result.code === 0 ? result.stdout : result.stderr };
  };
  const value = async (path: string): Promise<string | undefined> => {
    const answer = await get(path);
    if (answer.code !== 0) return undefined;
    const parsed = JSON.parse(answer.body) as { value?: string; items?: { value: string }[] };
    return parsed.value ?? parsed.items?.[0]?.value;
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail(
      `timed out waiting for ${what}\nprometheus: ${prometheus.logs()}\nadapter: ${adapter.logs().slice(-2000)}`,
    );
  };

  before(async () => {
    adapter = await startAdapter();
    exporter = await startCountingExporter();
    prometheus = await startPrometheus(prometheusBinary!, [exporter.target], {
      agent: true,
      extraConfig: [
        'remote_write:',
        `- url: ${adapter.url}/api/v1/write`,
        `  tls_config: {ca_file: ${JSON.stringify(adapter.caFile)}}`,
        '  queue_config: {batch_send_deadline: 200ms, min_backoff: 100ms, max_backoff: 500ms}',
      ],
    });
  });

  after(async () => {
    await prometheus?.close();
    await exporter?.close();
    await adapter?.stop();
  });

  test('a counter is served as its per-second rate of each pod, across a counter reset, with no rules written', async () => {
    const web1 = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/http_requests_per_second';
    const web2 = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-2/http_requests_per_second';
    // NB: +5 and +2 per scrape, one second apart: rates 5 and 2 from the second sample on.
    await waitFor('a rate of web-1', async () => (await value(web1)) !== undefined);
    assert.equal(await value(web1), '5');
    assert.equal(await value(web2), '2');
    // NB: the namespace's value is the sum over its pods, as prometheus-adapter's `sum(...) by (namespace)`.
    assert.equal(
      await value('/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/metrics/http_requests_per_second'),
      '7',
    );
    await waitFor('web-1 counter reset to be pushed', async () => exporter.scrapes() >= 7);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // NB: after the reset the counter went 20 → 5: an increase of 5, as rate() counts it, so the rate stays exactly 5.
    assert.equal(await value(web1), '5');
    const list = JSON.parse(
      (await get('/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/%2A/http_requests_per_second')).body,
    ) as { items: { describedObject: { name: string }; value: string }[] };
    assert.deepEqual(
      list.items.map((item) => [item.describedObject.name, parseQuantity(item.value).toString()]).sort(),
      [
        ['web-1', '5'],
        ['web-2', '2'],
      ],
    );
  });

  test('a gauge is served as it is, and goes when Prometheus marks it stale', async () => {
    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/queue_depth';
    await waitFor('queue_depth', async () => (await value(path)) !== undefined);
    assert.equal(await value(path), '42');
    await exporter.close();
    // NB: a failed scrape makes Prometheus send stale markers for the target's unstamped series.
    await waitFor('queue_depth to go stale', async () => (await get(path)).code !== 0);
    assert.match((await get(path)).body, /NotFound|not found/i);
  });
});
