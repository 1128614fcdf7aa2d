import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from '../../adapter.js';
import { unauthorized } from '../../api/errors.js';
import { createMemoryAdapter } from '../../../test/helpers/memory-adapter.js';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createSilentLogger } from '../../log/index.js';
import memoryBackend from '../../providers/memory/index.js';
import type { CustomMetricsProvider } from '../../providers/provider.js';
import { renderPage } from './render-page.js';

test('everything rendered is escaped', () => {
  const hostile = '<img src=x onerror=alert(1)>"\'&';
  const html = renderPage({
    now: 10_000,
    readiness: { ready: false, message: hostile },
    metrics: [
      {
        key: `custom:${hostile}`,
        api: 'custom',
        title: hostile,
        values: [{ object: hostile, value: hostile, number: 1, timestamp: 9000 }],
        truncated: false,
      },
    ],
    history: () => new Map([[hostile, [{ t: 9000, v: 1 }]]]),
    windowMs: 900_000,
    requests: {
      perSecond: undefined,
      total: 0,
      counts: [{ verb: hostile, group: hostile, version: hostile, code: 200, count: 1 }],
    },
    explain: { yaml: `</textarea>${hostile}`, currentReplicas: hostile, selector: hostile, error: hostile },
  });
  assert.ok(!html.includes('<img'), 'no markup from data');
  assert.ok(!html.includes('</textarea><'), 'the textarea cannot be closed from data');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'));
});

describe('status page /ui', () => {
  let adapter: Awaited<ReturnType<typeof createMemoryAdapter>>;
  before(async () => {
    adapter = await createMemoryAdapter();
    const writes: [string, string][] = [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb', '"150"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app%3Dweb', '"150"'],
      ['/write-metrics/namespaces/team-a/pods/worker-1/http_requests', '"7"'],
      ['/write-metrics/nodes/node-1/temperature', '"45.5"'],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', '"95"'],
    ];
    for (const [path, body] of writes) assert.equal((await adapter.post(path, body)).statusCode, 200, path);
  });
  after(async () => adapter.close());

  test('lists every metric with its objects, values and ages, escaped', async () => {
    const res = await adapter.get('/ui');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
    const html = res.body;
    assert.match(html, /<h2 id="metrics-heading">Metrics served \(3\)<\/h2>/);
    assert.match(html, /<h3 id="m-custom-pods-http_requests">pods http_requests<\/h3>/);
    assert.match(html, /<td>default\/web-1<\/td><td class="num">150<\/td><td class="num ">\d+s<\/td>/);
    assert.match(html, /<td>node-1<\/td><td class="num">45500m<\/td>/);
    assert.match(html, /<td>default \{queue=worker\}<\/td><td class="num">95<\/td>/);
    assert.match(html, /<td>team-a\/worker-1<\/td><td class="num">7<\/td>/);
    assert.match(html, /Back end: <span class="ok">ready<\/span>/);
    assert.match(html, /<svg class="plot"[^>]*role="img"[^>]*data-points="[1-9]/);
    assert.match(html, /requests answered/);
    assert.match(html, /<label for="hpa-yaml">/);
  });

  test('the explain form shows the decision, computed from the in-process values', async () => {
    const yaml = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 10
  metrics:
  - type: Pods
    pods: {metric: {name: http_requests}, target: {type: AverageValue, averageValue: "100"}}
  - type: External
    external: {metric: {name: queue_messages_ready, selector: {matchLabels: {queue: worker}}}, target: {type: Value, value: "<10>"}}
`;
    const bad = await adapter.server.inject({
      method: 'POST',
      url: '/ui/explain',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ yaml, currentReplicas: '2' }).toString(),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(
      bad.body,
      /role="alert">error: the manifest:11: spec\.metrics\[1\]\.external\.target\.value: invalid quantity &quot;&lt;10&gt;&quot;/,
    );
    assert.ok(bad.body.includes('value: &quot;&lt;10&gt;&quot;'), 'the YAML is kept in the form, escaped');

    const good = await adapter.server.inject({
      method: 'POST',
      url: '/ui/explain',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        yaml: yaml.replace('"<10>"', '"50"'),
        currentReplicas: '2',
        selector: 'app=web',
      }).toString(),
    });
    assert.equal(good.statusCode, 200, good.body);
    assert.match(
      good.body,
      /<p class="decision" role="status">2 → 4 replicas \(rescale\), bounded by DesiredWithinRange<\/p>/,
    );
    assert.match(
      good.body,
      /GET \/apis\/custom\.metrics\.k8s\.io\/v1beta2\/namespaces\/default\/pods\/%2A\/http_requests\?labelSelector=app%3Dweb/,
    );
    assert.match(good.body, /ratio 1\.5 → proposes 3 \(Ratio\)/);

    // The same history file explain --history takes: the recommendation of 5 a minute ago lifts the proposal 4 to 5
    // (no behavior: the max over 5 m), and the scale-up limit max(2 × 2, 4) = 4 then bounds it.
    const history = 'now: 2030-01-01T12:00:00Z\nrecommendations:\n- {ago: 1m, replicas: 5}\n';
    const held = await adapter.server.inject({
      method: 'POST',
      url: '/ui/explain',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        yaml: yaml.replace('"<10>"', '"50"'),
        currentReplicas: '2',
        selector: 'app=web',
        history,
      }).toString(),
    });
    assert.equal(held.statusCode, 200, held.body);
    assert.match(
      held.body,
      /<p class="decision" role="status">2 → 4 replicas \(rescale\), bounded by ScaleUpLimit<\/p>/,
    );
    const badHistory = await adapter.server.inject({
      method: 'POST',
      url: '/ui/explain',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        yaml: yaml.replace('"<10>"', '"50"'),
        currentReplicas: '2',
        history: 'recommendations: [{replicas: 3}]',
      }).toString(),
    });
    assert.equal(badHistory.statusCode, 400);
    assert.match(
      badHistory.body,
      /role="alert">error: the history:1: recommendations\[0\]: needs either timestamp or ago/,
    );
  });

  test('the page goes through the same authentication hook as the API', async () => {
    const guarded = createAdapter({
      custom: {
        getMetricByName: () => {
          throw new Error('unused');
        },
        getMetricBySelector: () => [],
        listAllMetrics: () => [],
      },
      guard: {
        check: () => {
          throw unauthorized();
        },
      },
    });
    try {
      for (const [method, url] of [
        ['GET', '/ui'],
        ['POST', '/ui/explain'],
      ] as const) {
        const res = await guarded.server.inject({ method, url });
        assert.equal(res.statusCode, 401, `${method} ${url}`);
        assert.match(res.body, /"reason":"Unauthorized"/);
      }
    } finally {
      await guarded.close();
    }
  });
});

async function countingAdapter(statusPageSampleIntervalMs: number) {
  const resourceMapper = createStaticResourceMapper();
  const backend = await memoryBackend.create({}, {}, { logger: createSilentLogger(), resourceMapper });
  const memory = backend.custom!;
  const counter = { reads: 0 };
  const custom: CustomMetricsProvider = {
    getMetricByName: (...args) => memory.getMetricByName(...args),
    getMetricBySelector: (...args) => {
      counter.reads++;
      return memory.getMetricBySelector(...args);
    },
    listAllMetrics: () => memory.listAllMetrics(),
    listMetricNamespaces: (info) => memory.listMetricNamespaces?.(info) ?? [],
  };
  const adapter = createAdapter({ custom, writer: backend.writer!, resourceMapper, statusPageSampleIntervalMs });
  return { adapter, counter };
}

test('--status-page-sample-interval: 0 reads the back end only when the page is viewed; otherwise on the interval', async () => {
  const off = await countingAdapter(0);
  const on = await countingAdapter(20);
  try {
    for (const { adapter } of [off, on]) {
      const write = await adapter.server.inject({
        method: 'POST',
        url: '/write-metrics/namespaces/default/pods/web-1/http_requests',
        payload: '"1"',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(write.statusCode, 200);
      await adapter.server.ready();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(off.counter.reads, 0, 'no background sampling');
    assert.ok(on.counter.reads >= 2, `sampled on the interval (${on.counter.reads} reads)`);
    const page = await off.adapter.server.inject({ method: 'GET', url: '/debug/metrics' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /http_requests/);
    assert.ok(off.counter.reads >= 1, 'a page view reads the values');
  } finally {
    await off.adapter.close();
    await on.adapter.close();
  }
});
