import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdapter } from '../../adapter.js';
import { unauthorized } from '../../api/errors.js';
import { createMemoryAdapter } from '../../../test/helpers/memory-adapter.js';
import { formatStatusJson, type StatusJson } from './status-json.js';

test('formats the page model: ISO times, ages in seconds, null rate before two samples, counts most frequent first', () => {
  const now = Date.parse('2026-01-02T03:04:05.500Z');
  const json = formatStatusJson({
    now,
    readiness: { ready: false, message: 'prometheus: connection refused' },
    metrics: [
      {
        key: 'custom:pods:http_requests',
        api: 'custom',
        title: 'pods http_requests',
        truncated: true,
        values: [
          { object: 'default/web-1', value: '150', number: 150, timestamp: now - 12_250 },
          // NB: a back end whose clock runs ahead: the age is 0, not negative, as on the page.
          { object: 'default/web-2', value: '1500m', number: 1.5, timestamp: now + 2000 },
        ],
      },
      {
        key: 'external:queue',
        api: 'external',
        title: 'external queue',
        truncated: false,
        values: [],
        error: 'the server is currently unable to handle the request',
      },
    ],
    windowMs: 900_000,
    requests: {
      perSecond: undefined,
      total: 5,
      counts: [
        { verb: 'GET', group: 'custom.metrics.k8s.io', version: 'v1beta2', code: 200, count: 1 },
        { verb: 'POST', group: '', version: '', code: 200, count: 4 },
      ],
    },
  });
  assert.deepEqual(json, {
    time: '2026-01-02T03:04:05.500Z',
    readiness: { ready: false, message: 'prometheus: connection refused' },
    metrics: [
      {
        key: 'custom:pods:http_requests',
        api: 'custom',
        title: 'pods http_requests',
        truncated: true,
        values: [
          { object: 'default/web-1', value: '150', timestamp: '2026-01-02T03:03:53.250Z', ageSeconds: 12.25 },
          { object: 'default/web-2', value: '1500m', timestamp: '2026-01-02T03:04:07.500Z', ageSeconds: 0 },
        ],
      },
      {
        key: 'external:queue',
        api: 'external',
        title: 'external queue',
        truncated: false,
        values: [],
        error: 'the server is currently unable to handle the request',
      },
    ],
    requests: {
      total: 5,
      perSecond: null,
      windowSeconds: 900,
      counts: [
        { verb: 'POST', group: '', version: '', code: 200, count: 4 },
        { verb: 'GET', group: 'custom.metrics.k8s.io', version: 'v1beta2', code: 200, count: 1 },
      ],
    },
  } satisfies StatusJson);
  assert.equal('backends' in json, false, 'no back ends table without a routing config');
});

/** Replaces the clock-dependent fields (times, ages, the rate) after checking they agree with each other. */
function normalize(json: StatusJson): unknown {
  const time = Date.parse(json.time);
  assert.equal(new Date(time).toISOString(), json.time);
  const { perSecond } = json.requests;
  assert.ok(perSecond === null || (Number.isFinite(perSecond) && perSecond >= 0), `rate ${perSecond}`);
  return {
    ...json,
    time: '<time>',
    requests: { ...json.requests, perSecond: '<rate>' },
    metrics: json.metrics.map((m) => ({
      ...m,
      values: m.values.map((v) => {
        const timestamp = Date.parse(v.timestamp);
        assert.equal(new Date(timestamp).toISOString(), v.timestamp, 'RFC 3339 timestamp');
        assert.equal(v.ageSeconds, Math.max(0, time - timestamp) / 1000, `age of ${v.object}`);
        assert.ok(v.ageSeconds < 60, 'written moments ago');
        return { ...v, timestamp: '<timestamp>', ageSeconds: '<age>' };
      }),
    })),
  };
}

describe('GET /debug/metrics', () => {
  let adapter: Awaited<ReturnType<typeof createMemoryAdapter>>;
  before(async () => {
    adapter = await createMemoryAdapter();
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests', '"150"'],
      ['/write-metrics/nodes/node-1/temperature', '"45.5"'],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', '"95"'],
    ] as const)
      assert.equal((await adapter.post(path, body)).statusCode, 200, path);
  });
  after(async () => adapter.close());

  test('serves the status page data as JSON, in exactly this shape', async () => {
    const res = await adapter.get('/debug/metrics');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(normalize(JSON.parse(res.body) as StatusJson), {
      time: '<time>',
      readiness: { ready: true },
      metrics: [
        {
          key: 'custom:pods:http_requests',
          api: 'custom',
          title: 'pods http_requests',
          truncated: false,
          values: [{ object: 'default/web-1', value: '150', timestamp: '<timestamp>', ageSeconds: '<age>' }],
        },
        {
          key: 'custom:nodes:temperature',
          api: 'custom',
          title: 'nodes temperature',
          truncated: false,
          values: [{ object: 'node-1', value: '45500m', timestamp: '<timestamp>', ageSeconds: '<age>' }],
        },
        {
          key: 'external:queue_messages_ready',
          api: 'external',
          title: 'external queue_messages_ready',
          truncated: false,
          values: [{ object: 'default {queue=worker}', value: '95', timestamp: '<timestamp>', ageSeconds: '<age>' }],
        },
      ],
      requests: {
        total: 3,
        perSecond: '<rate>',
        windowSeconds: 900,
        counts: [{ verb: 'POST', group: '', version: '', code: 200, count: 3 }],
      },
    });
  });

  test('pretty-printed for curl, as the API is', async () => {
    const res = await adapter.get('/debug/metrics', { 'user-agent': 'curl/8.5.0' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /^\{\n {2}"time": "/);
  });

  test('lists the back ends of a routing config', async () => {
    const routed = createAdapter({
      custom: {
        getMetricByName: () => {
          throw new Error('unused');
        },
        getMetricBySelector: () => [],
        listAllMetrics: () => [],
      },
      readiness: () => ({ ready: false, message: 'back end keda: not ready' }),
      backendHealth: () => [
        { name: 'memory', kind: 'memory', ready: true, customMetrics: 2, externalMetrics: 0 },
        {
          name: 'keda',
          kind: 'proxy',
          ready: false,
          message: 'connect ECONNREFUSED 127.0.0.1:1',
          customMetrics: 0,
          externalMetrics: 1,
        },
      ],
    });
    try {
      const json = JSON.parse(
        (await routed.server.inject({ method: 'GET', url: '/debug/metrics' })).body,
      ) as StatusJson;
      assert.deepEqual(normalize(json), {
        time: '<time>',
        readiness: { ready: false, message: 'back end keda: not ready' },
        backends: [
          { name: 'memory', kind: 'memory', ready: true, customMetrics: 2, externalMetrics: 0 },
          {
            name: 'keda',
            kind: 'proxy',
            ready: false,
            message: 'connect ECONNREFUSED 127.0.0.1:1',
            customMetrics: 0,
            externalMetrics: 1,
          },
        ],
        metrics: [],
        requests: { total: 0, perSecond: '<rate>', windowSeconds: 900, counts: [] },
      });
    } finally {
      await routed.close();
    }
  });

  test('goes through the same authentication hook as the page', async () => {
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
      const res = await guarded.server.inject({ method: 'GET', url: '/debug/metrics' });
      assert.equal(res.statusCode, 401);
      assert.match(res.body, /"reason":"Unauthorized"/);
    } finally {
      await guarded.close();
    }
  });
});
