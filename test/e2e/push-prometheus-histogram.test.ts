/**
 * A classic Prometheus histogram pushed by a real Prometheus in agent mode: its `_bucket{le}`, `_sum` and `_count`
 * series arrive as separate series and are served as the histogram's mean and a quantile, as PromQL
 * `rate(x_sum[w]) / rate(x_count[w])` and `histogram_quantile(q, rate(x_bucket[w]))` give them. The exporter
 * stamps its samples one second apart and adds the same observations every scrape, on top of a history of
 * different ones, so the expected values follow from what was sent (below). Skipped without prometheus.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { startScrapeTarget, type ScrapeTarget } from '../helpers/scrape-target.js';

const prometheusBinary = await findPrometheus();
const kubectl = await findKubectl();

/** Bucket bounds, and the observations each scrape adds per bucket (not cumulative): 2 in each, 8 in all. */
const bounds = ['0.25', '0.5', '1', '+Inf'];
const added = [2, 2, 2, 2];
const addedSum = 6;
/** What the histogram held before the first scrape: 100 observations at or below 0.25, summing to 10. */
const history = [100, 0, 0, 0];
const historySum = 10;

function startHistogramExporter(): Promise<ScrapeTarget> {
  return startScrapeTarget((scrapes, ts) => {
    const labels = 'namespace="shop",pod="web-1"';
    const lines = ['# TYPE request_duration_seconds histogram'];
    let cumulative = 0;
    bounds.forEach((le, i) => {
      cumulative += history[i]! + scrapes * added[i]!;
      lines.push(`request_duration_seconds_bucket{${labels},le="${le}"} ${cumulative} ${ts}`);
    });
    lines.push(`request_duration_seconds_sum{${labels}} ${historySum + scrapes * addedSum} ${ts}`);
    lines.push(`request_duration_seconds_count{${labels}} ${cumulative} ${ts}`, '');
    return lines.join('\n');
  });
}

describe('a classic histogram remote-written by a Prometheus agent', {
  skip:
    prometheusBinary === undefined
      ? 'prometheus is not installed'
      : kubectl === undefined
        ? 'kubectl 1.35 is not available'
        : false,
}, () => {
  let adapter: AdapterProcess;
  let prometheus: PrometheusProcess;
  let exporter: Awaited<ReturnType<typeof startHistogramExporter>>;
  let dir: string;

  const value = async (metric: string): Promise<string | undefined> => {
    const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/${metric}`;
    const result = await kubectlGetRaw(kubectl!, { server: adapter.url, caFile: adapter.caFile, path });
    if (result.code !== 0) return undefined;
    return (JSON.parse(result.stdout) as { items: { value: string }[] }).items[0]?.value;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'push-histogram-'));
    const config = join(dir, 'adapter.yaml');
    await writeFile(
      config,
      [
        'backend: memory',
        'ingest:',
        '  rules:',
        `  - seriesQuery: 'request_duration_seconds{namespace!="",pod!=""}'`,
        '    type: histogram',
        '    name: {as: request_duration_mean}',
        `  - seriesQuery: 'request_duration_seconds{namespace!="",pod!=""}'`,
        '    name: {as: request_duration_p37}',
        '    quantile: 0.375',
        `  - seriesQuery: 'request_duration_seconds{namespace!="",pod!=""}'`,
        '    name: {as: request_duration_p95}',
        '    quantile: 0.95',
        '',
      ].join('\n'),
    );
    adapter = await startAdapter(['--config', config]);
    exporter = await startHistogramExporter();
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
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('served as its mean and quantiles over the window, as PromQL computes them from the bucket rates', async () => {
    // NB: three scrapes pushed (and a second for the last to arrive) puts two whole increases in the window.
    const deadline = Date.now() + 30_000;
    while (exporter.scrapes() < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Every scrape adds 8 observations summing to 6: rate(sum)/rate(count) = 6/8; the history before the first
    // sample (100 observations summing to 10) is outside every increase.
    assert.equal(await value('request_duration_mean'), '750m');
    // Per scrape the cumulative buckets grow by 2, 4, 6, 8: rank 0.375 × 8 = 3 lies in (0.25, 0.5], 1 of its 2 in:
    // 0.25 + 0.25 × 1/2.
    assert.equal(await value('request_duration_p37'), '375m');
    // Rank 7.6 is past the last finite bucket's 6: the highest finite bound.
    assert.equal(await value('request_duration_p95'), '1');
    // The buckets are parts of the histogram, not a metric of their own.
    assert.equal(await value('request_duration_seconds_bucket'), undefined);
  });
});
