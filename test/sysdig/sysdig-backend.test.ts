/**
 * The sysdig back end against a loopback fake Sysdig over TLS (test/helpers/fake-sysdig.ts): the exact
 * Data API requests it sends for Object, Pods and External queries, discovery from metric descriptors,
 * and its answers to a bad token, rate limits, errors and a slow Sysdig.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const services: CustomMetricInfo = {
  groupResource: { group: '', resource: 'services' },
  namespaced: true,
  metric: 'net.http.request.count',
};
const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'net.http.request.count',
};
const kubernetesEntities = [
  'kubernetes.cluster',
  'kubernetes.namespace',
  'kubernetes.deployment',
  'kubernetes.service',
  'kubernetes.pod',
];

function container(pod: string, value: number, extra: Record<string, string> = {}) {
  return {
    labels: {
      'kubernetes.cluster.name': 'prod',
      'kubernetes.namespace.name': 'shop',
      'kubernetes.service.name': 'web',
      'kubernetes.deployment.name': 'web',
      'kubernetes.pod.name': pod,
      'kubernetes.pod.label.app': 'web',
      ...extra,
    },
    values: { 'net.http.request.count': value },
  };
}

async function rejectsWith(promise: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StatusError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('sysdig back end', () => {
  let fake: FakeSysdig;
  let log = '';
  const logger = createLogger({
    format: 'json',
    verbosity: 0,
    destination: new Writable({ write: (chunk, _e, done) => ((log += String(chunk)), done()) }),
  });
  const open: Backend[] = [];

  async function create(
    section: Record<string, unknown>,
    env: Record<string, string> = { SDC_TOKEN: fake.token },
  ): Promise<Backend> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const config = sysdigBackend.configSchema.parse({ url: fake.url, caFile: fake.caFile, ...section });
      const backend = await sysdigBackend.create(config, {}, { logger, resourceMapper: createStaticResourceMapper() });
      open.push(backend);
      return backend;
    } finally {
      for (const key of Object.keys(env))
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
    }
  }

  before(async () => {
    fake = await startFakeSysdig();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.script.length = 0;
    fake.delayMs = 0;
    fake.entities = [
      container('web-1', 10),
      container('web-1', 30),
      container('web-2', 5),
      container('other', 99, {
        'kubernetes.service.name': 'other',
        'kubernetes.deployment.name': 'other',
        'kubernetes.pod.label.app': 'other',
      }),
    ];
    fake.descriptors = [
      { id: 'net.http.request.count', metricType: 'counter', namespaces: kubernetesEntities },
      { id: 'cpu.used.percent', metricType: 'gauge', namespaces: ['host', 'kubernetes.pod'] },
      { id: 'kubernetes.pod.name', metricType: 'segmentBy', namespaces: kubernetesEntities },
    ];
    log = '';
  });
  after(async () => {
    await Promise.all(open.map((b) => b.close()));
    await fake.close();
  });

  test('an Object query for a Service is one request scoped to the cluster, namespace and service', async () => {
    const backend = await create({
      clusterName: 'prod',
      metrics: [{ name: 'net.http.request.count', window: '2m', timeAggregation: 'timeAvg', groupAggregation: 'sum' }],
    });
    fake.requests.length = 0;
    const value = await backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx);
    assert.deepEqual(fake.dataRequests(), [
      {
        metrics: [{ id: 'net.http.request.count', aggregations: { time: 'timeAvg', group: 'sum' } }],
        last: 120,
        filter:
          "kubernetes.cluster.name = 'prod' and kubernetes.namespace.name = 'shop' and kubernetes.service.name = 'web'",
      },
    ]);
    assert.equal(fake.requests[0]!.authorization, `Bearer ${fake.token}`);
    assert.equal(value.value, '45');
    assert.equal(value.windowSeconds, 120);
    assert.deepEqual(value.describedObject, { kind: 'Service', namespace: 'shop', name: 'web', apiVersion: 'v1' });
  });

  test('defaults are a 60 s window, time avg and group avg; a workload named the k8s-sysdig-adapter way is scoped by workload', async () => {
    const backend = await create({});
    fake.entities = [
      container('web-1', 10, { 'kubernetes.workload.type': 'deployment', 'kubernetes.workload.name': 'kuard' }),
      container('web-2', 20, { 'kubernetes.workload.type': 'deployment', 'kubernetes.workload.name': 'kuard' }),
    ];
    fake.requests.length = 0;
    const value = await backend.custom!.getMetricByName(
      { namespace: 'shop', name: 'deployment;kuard' },
      services,
      everything,
      ctx,
    );
    assert.deepEqual(fake.dataRequests(), [
      {
        metrics: [{ id: 'net.http.request.count', aggregations: { time: 'avg', group: 'avg' } }],
        last: 60,
        filter:
          "kubernetes.namespace.name = 'shop' and kubernetes.workload.type = 'deployment' and kubernetes.workload.name = 'kuard'",
      },
    ]);
    assert.equal(value.value, '15');
  });

  test('a Pods query for many pods is ONE request segmented by kubernetes.pod.name; pods without data are left out', async () => {
    fake.entities = [
      ...Array.from({ length: 12 }, (_, i) => container(`web-${i}`, i + 1)),
      {
        labels: {
          'kubernetes.namespace.name': 'shop',
          'kubernetes.pod.name': 'web-quiet',
          'kubernetes.pod.label.app': 'web',
        },
        values: {},
      },
      container('api-1', 7, { 'kubernetes.pod.label.app': 'api' }),
    ];
    const backend = await create({ metrics: [{ name: 'net.http.request.count', groupAggregation: 'sum' }] });
    fake.requests.length = 0;
    const values = await backend.custom!.getMetricBySelector('shop', parseSelector('app=web'), pods, everything, ctx);
    assert.deepEqual(fake.dataRequests(), [
      {
        metrics: [
          { id: 'kubernetes.pod.name' },
          { id: 'net.http.request.count', aggregations: { time: 'avg', group: 'sum' } },
        ],
        last: 60,
        filter: "kubernetes.namespace.name = 'shop' and kubernetes.pod.label.app = 'web'",
        paging: { from: 0, to: 999 },
      },
    ]);
    assert.deepEqual(
      values.map((v) => [v.describedObject.name, v.value]).sort(),
      Array.from({ length: 12 }, (_, i) => [`web-${i}`, String(i + 1)]).sort(),
    );
    assert.equal(values[0]!.describedObject.kind, 'Pod');
  });

  test('metric label selectors and set-based object selectors become scope clauses; exists is a 400', async () => {
    const backend = await create({});
    fake.requests.length = 0;
    await backend.custom!.getMetricBySelector(
      'shop',
      parseSelector('app in (web,api),tier!=db'),
      pods,
      parseSelector('net.http.method=GET'),
      ctx,
    );
    assert.equal(
      fake.dataRequests()[0]!.filter,
      "kubernetes.namespace.name = 'shop' and kubernetes.pod.label.app in ('api', 'web') and kubernetes.pod.label.tier != 'db' and net.http.method = 'GET'",
    );
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricBySelector('shop', parseSelector('app'), pods, everything, ctx)),
      400,
      /cannot be expressed as a Sysdig scope/,
    );
  });

  test('an external metric is scoped by its selector, optionally the namespace, and split by segmentBy', async () => {
    const backend = await create({
      metrics: [
        {
          name: 'net.http.request.count',
          resources: [],
          segmentBy: ['kubernetes.service.name'],
          namespaced: true,
          groupAggregation: 'sum',
        },
      ],
    });
    fake.requests.length = 0;
    const values = await backend.external!.getExternalMetric(
      'shop',
      parseSelector('kubernetes.deployment.name=web'),
      { metric: 'net.http.request.count' },
      ctx,
    );
    assert.deepEqual(fake.dataRequests(), [
      {
        metrics: [
          { id: 'kubernetes.service.name' },
          { id: 'net.http.request.count', aggregations: { time: 'avg', group: 'sum' } },
        ],
        last: 60,
        filter: "kubernetes.namespace.name = 'shop' and kubernetes.deployment.name = 'web'",
        paging: { from: 0, to: 999 },
      },
    ]);
    assert.deepEqual(
      values.map((v) => [v.metricLabels, v.value]),
      [[{ 'kubernetes.deployment.name': 'web', 'kubernetes.service.name': 'web' }, '45']],
    );
  });

  test('discovery lists what the descriptors apply to, from memory; labels are not metrics', async () => {
    const backend = await create({});
    const requests = fake.requests.length;
    const custom = backend.custom!.listAllMetrics();
    assert.equal(fake.requests.length, requests, 'listing does not touch the network');
    const names = custom.map((i) => `${i.groupResource.resource}/${i.metric}`);
    assert.ok(names.includes('services/net.http.request.count'));
    assert.ok(names.includes('deployments/net.http.request.count'));
    assert.ok(names.includes('pods/cpu.used.percent'));
    assert.ok(!names.includes('services/cpu.used.percent'), 'cpu.used.percent has no kubernetes.service namespace');
    assert.ok(!names.some((n) => n.endsWith('/kubernetes.pod.name')));
    assert.deepEqual(
      backend
        .external!.listAllExternalMetrics()
        .map((i) => i.metric)
        .sort(),
      ['cpu.used.percent', 'net.http.request.count'],
    );
    assert.equal(custom, backend.custom!.listAllMetrics(), 'the same array while unchanged');
    await rejectsWith(
      Promise.resolve(
        backend.custom!.getMetricByName(
          { namespace: 'shop', name: 'web' },
          { ...services, metric: 'cpu.used.percent' },
          everything,
          ctx,
        ),
      ),
      404,
      /could not find the metric cpu.used.percent for services/,
    );
  });

  test('descriptors are read page by page', async () => {
    fake.descriptors = Array.from({ length: 1500 }, (_, i) => ({
      id: `custom.metric.${i}`,
      metricType: 'gauge' as const,
      namespaces: ['kubernetes.pod'],
    }));
    const backend = await create({});
    assert.deepEqual(
      fake.requests.map((r) => r.path),
      ['/api/v2/metrics/descriptors?limit=1000&offset=0', '/api/v2/metrics/descriptors?limit=1000&offset=1000'],
    );
    assert.equal(backend.external!.listAllExternalMetrics().length, 1500);
  });

  test('discovery: config lists only the configured metrics and refuses others without asking Sysdig', async () => {
    const backend = await create({
      discovery: 'config',
      metrics: [{ name: 'net.http.request.count', resources: ['services'] }],
    });
    assert.deepEqual(backend.custom!.listAllMetrics(), [services]);
    fake.requests.length = 0;
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricByName({ namespace: 'shop', name: 'web-1' }, pods, everything, ctx)),
      404,
      /net.http.request.count for pods/,
    );
    assert.equal(fake.requests.length, 0);
  });

  test('no data is a 404 by default, or 0 with onNoData: zero', async () => {
    const backend = await create({ metrics: [{ name: 'cpu.used.percent', onNoData: 'zero' }] });
    await rejectsWith(
      Promise.resolve(
        backend.custom!.getMetricByName({ namespace: 'shop', name: 'nothing' }, services, everything, ctx),
      ),
      404,
      /for services nothing/,
    );
    const zero = await backend.custom!.getMetricByName(
      { namespace: 'shop', name: 'nothing' },
      { ...pods, metric: 'cpu.used.percent' },
      everything,
      ctx,
    );
    assert.equal(zero.value, '0');
  });

  test('a bad token is one clear log line at start and a 503 naming the cause, and the token is never logged', async () => {
    const backend = await create({}, { SDC_TOKEN: 'wrong-token-d41d8' });
    const lines = log
      .trim()
      .split('\n')
      .filter((l) => /rejected the API token/.test(l));
    assert.equal(lines.length, 1, log);
    assert.match(lines[0]!, /HTTP 401/);
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx)),
      503,
      /rejected the API token \(HTTP 401\)/,
    );
    assert.ok(!log.includes('wrong-token-d41d8') && !log.includes(fake.token));
  });

  test('the token can come from a file, and a missing token stops the start with a message naming the setting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sysdig-token-'));
    try {
      await writeFile(join(dir, 'token'), `${fake.token}\n`);
      const backend = await create({ tokenFile: join(dir, 'token') }, {});
      assert.equal(
        (await backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx)).value,
        '15',
      );
      await assert.rejects(
        create({ tokenEnv: 'NO_SUCH_SYSDIG_TOKEN_VAR' }, {}),
        /no Sysdig API token: set the env var NO_SUCH_SYSDIG_TOKEN_VAR/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('429 is retried with backoff (Retry-After honoured) within the deadline', async () => {
    const backend = await create({ timeout: '5s' });
    fake.requests.length = 0;
    fake.script.push({ status: 429, headers: { 'retry-after': '0' } }, { status: 429 });
    const value = await backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx);
    assert.equal(value.value, '15');
    assert.equal(fake.dataRequests().length, 3);
  });

  test('429 past the deadline, 5xx and a slow Sysdig are 503s that name the cause', async () => {
    const backend = await create({ timeout: '600ms' });
    fake.script.push(...Array.from({ length: 20 }, () => ({ status: 429 })));
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx)),
      503,
      /HTTP 429.*gave up within the 600 ms deadline/,
    );
    fake.script.length = 0;
    fake.script.push({ status: 500 });
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx)),
      503,
      /answered HTTP 500: scripted HTTP 500/,
    );
    fake.delayMs = 2000;
    await rejectsWith(
      Promise.resolve(backend.custom!.getMetricByName({ namespace: 'shop', name: 'web' }, services, everything, ctx)),
      503,
      /Sysdig API is unavailable: no answer within/,
    );
  });

  test('mode: promql needs its rules, and a promql section needs mode: promql', () => {
    assert.deepEqual(sysdigBackend.configSchema.safeParse({ mode: 'promql' }).error?.issues[0]?.path, ['promql']);
    assert.deepEqual(
      sysdigBackend.configSchema.safeParse({ promql: { rules: [] } }).error?.issues.map((i) => i.path),
      [['promql'], ['mode']],
    );
  });
});
