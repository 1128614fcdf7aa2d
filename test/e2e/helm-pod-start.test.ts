/**
 * The rendered pod starts, for every back end: the Deployment that real `helm template` renders from a values file,
 * and the one `metrics-adapter manifests` prints for the same settings, each run as `serve` with exactly its args and
 * env (its ConfigMaps and Secrets written where it mounts them, see test/helpers/rendered-pod.ts) against a real
 * Prometheus, a real Redis, a second adapter (forward) and the Sysdig stand-in. Each must answer /readyz and one
 * metric read through kubectl 1.35, which trusts only the rendered caBundle and verifies the name the aggregator
 * verifies. A prometheus-adapter values file (its chart's keys only) serves the same metric names.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments, stringify } from 'yaml';
import { runCli, startAdapter, startCli, type AdapterProcess } from '../helpers/adapter-process.js';
import { startExporter, type Exporter } from '../helpers/exporter.js';
import { startFakeSysdig, type FakeSysdig } from '../helpers/fake-sysdig.js';
import { findHelm, helmTemplate } from '../helpers/helm.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { findRedisCli, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { renderedPod, type RenderedPod, type RenderedPodOptions } from '../helpers/rendered-pod.js';

const helm = await findHelm();
const kubectl = helm === undefined ? undefined : await findKubectl();
const skip =
  helm === undefined
    ? 'helm (from the kubectl layer package) not available'
    : kubectl === undefined
      ? 'kubectl 1.35 not available'
      : false;
const namespace = 'custom-metrics';
const custom = '/apis/custom.metrics.k8s.io/v1beta2';
const external = '/apis/external.metrics.k8s.io/v1beta1';

type KubeObject = Record<string, unknown> & { kind: string; metadata: { name: string } };

interface RunningPod {
  readonly pod: RenderedPod;
  readonly adapter: AdapterProcess;
  read(path: string): Promise<{ code: number; stdout: string; stderr: string }>;
  write(path: string, body: string): Promise<number>;
  stop(): Promise<void>;
}

let dir: string;

async function fromHelm(values: Record<string, unknown>): Promise<KubeObject[]> {
  const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, stringify(values));
  return (await helmTemplate(helm!, { namespace, valuesFile: file })) as KubeObject[];
}

async function fromManifests(args: readonly string[]): Promise<KubeObject[]> {
  // NB: generous: the CLI starts through tsx, which takes long on a loaded 2-core machine.
  const out = await runCli(['manifests', '--namespace', namespace, ...args], 180_000);
  assert.equal(out.code, 0, out.stderr);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as KubeObject);
}

/** Starts `serve` as the rendered pod would run; resolves once it logs that it serves. */
async function startPod(objects: readonly KubeObject[], options: RenderedPodOptions = {}): Promise<RunningPod> {
  const pod = await renderedPod(objects, options);
  const caFile = join(pod.dir, 'kubectl-ca.crt');
  await writeFile(caFile, pod.caPem);
  let adapter: AdapterProcess;
  try {
    adapter = await startCli(pod.args, { env: pod.env });
  } catch (error) {
    await pod.close();
    throw error;
  }
  return {
    pod,
    adapter,
    read: (path) => kubectlGetRaw(kubectl!, { server: adapter.url, caFile, path, tlsServerName: pod.serverName }),
    write: (path, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          new URL(path, adapter.url),
          {
            method: 'POST',
            ca: pod.caPem,
            servername: pod.serverName,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    async stop() {
      await adapter.stop();
      await pod.close();
    },
  };
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  logs: () => string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen in ${timeoutMs / 1000}s; adapter log:\n${logs().slice(-3000)}`);
    await sleep(300);
  }
}

/** /readyz answers ok, and `path` gives `count` items; returns each item's object name and value. */
async function readyAndRead(running: RunningPod, path: string, count: number): Promise<Record<string, string>> {
  const ready = await eventually(
    '/readyz ok',
    async () => {
      const out = await running.read('/readyz');
      return out.code === 0 ? out.stdout : undefined;
    },
    running.adapter.logs,
  );
  assert.equal(ready, 'ok');
  return eventually(
    `${count} items at ${path}`,
    async () => {
      const out = await running.read(path);
      if (out.code !== 0) return undefined;
      const { items } = JSON.parse(out.stdout) as {
        items: { describedObject?: { name: string }; metricName: string; value: string; metric?: { name: string } }[];
      };
      if (items.length !== count) return undefined;
      return Object.fromEntries(
        items.map((item) => [item.describedObject?.name ?? item.metricName ?? item.metric?.name, item.value]),
      );
    },
    running.adapter.logs,
  );
}

/** Runs `check` against the pod of each rendering, both at once. */
async function bothRenderings(
  renderings: Record<string, () => Promise<KubeObject[]>>,
  options: RenderedPodOptions,
  check: (running: RunningPod, label: string) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Object.entries(renderings).map(async ([label, render]) => {
      const running = await startPod(await render(), options);
      try {
        await check(running, label);
      } finally {
        await running.stop();
      }
    }),
  );
}

describe('the rendered pod starts with what was rendered', { skip }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-helm-pod-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('memory: a value written over HTTPS is read back through kubectl', async () => {
    await bothRenderings(
      { helm: () => fromHelm({ backend: 'memory' }), manifests: () => fromManifests(['--backend', 'memory']) },
      {},
      async (running, label) => {
        assert.equal(
          await running.write('/write-metrics/namespaces/default/pods/web-1/queue_length', '"12"'),
          200,
          label,
        );
        assert.deepEqual(
          await readyAndRead(running, `${custom}/namespaces/default/pods/web-1/queue_length`, 1),
          { 'web-1': '12' },
          label,
        );
      },
    );
  });

  describe('against a real Redis with a password', () => {
    let redis: RedisServer | undefined;
    const password = 'helm-chart-redis-pw-4b1d';
    before(async () => {
      const binary = await findRedisServer();
      if (binary !== undefined) redis = await startRedisServer(binary, { args: ['--requirepass', password] });
    });
    after(async () => redis?.stop());

    test('redis: the password comes from the mounted Secret; a written value is read back', async (t) => {
      if (redis === undefined) return t.skip('redis-server is not installed');
      const secrets = { 'redis-auth': { password } };
      const passwordSecret = { name: 'redis-auth', key: 'password' };
      const valuesFile = join(dir, 'redis-values.yaml');
      await writeFile(valuesFile, stringify({ redis: { passwordSecret } }));
      await bothRenderings(
        {
          helm: () => fromHelm({ backend: 'redis', redis: { url: redis!.url, passwordSecret } }),
          manifests: () => fromManifests(['--backend', 'redis', '--redis-url', redis!.url, '--values', valuesFile]),
        },
        { secrets },
        async (running, label) => {
          const name = `pod-${label}`;
          assert.equal(
            await running.write(`/write-metrics/namespaces/default/pods/${name}/jobs_waiting`, '"3"'),
            200,
            running.adapter.logs(),
          );
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/${name}/jobs_waiting`, 1),
            { [name]: '3' },
            label,
          );
        },
      );
    });
  });

  describe('against a real Redis behind Sentinel, and a real Redis Cluster', () => {
    let master: RedisServer | undefined;
    let sentinel: RedisServer | undefined;
    let cluster: RedisCluster | undefined;
    let missing: string | undefined;
    before(async () => {
      const binary = await findRedisServer();
      const cli = binary === undefined ? undefined : await findRedisCli(binary);
      if (binary === undefined || cli === undefined) {
        missing = `${binary === undefined ? 'redis-server' : 'redis-cli'} is not installed`;
        return;
      }
      master = await startRedisServer(binary);
      sentinel = await startRedisServer('/usr/bin/redis-sentinel', {
        sentinelFor: { masterName: 'chart', port: master.port },
      }).catch(() => undefined);
      cluster = await startRedisCluster(binary, cli, { masters: 3 });
    });
    after(async () => {
      await sentinel?.stop();
      await master?.stop();
      await cluster?.stop();
    });

    test('redis.sentinels: the master is found through the Sentinel; a written value is read back', async (t) => {
      if (missing !== undefined) return t.skip(missing);
      if (sentinel === undefined) return t.skip('redis-sentinel is not installed');
      const sentinels = [`127.0.0.1:${sentinel.port}`];
      await bothRenderings(
        {
          helm: () =>
            fromHelm({ backend: 'redis', redis: { sentinels, sentinelMaster: 'chart', replicaAckTimeout: '2s' } }),
          manifests: () =>
            fromManifests([
              '--backend',
              'redis',
              '--redis-sentinels',
              sentinels.join(','),
              '--redis-sentinel-master',
              'chart',
              '--redis-replica-ack-timeout',
              '2s',
            ]),
        },
        {},
        async (running, label) => {
          const name = `sentinel-${label}`;
          assert.equal(
            await running.write(`/write-metrics/namespaces/default/pods/${name}/jobs_waiting`, '"4"'),
            200,
            running.adapter.logs(),
          );
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/${name}/jobs_waiting`, 1),
            { [name]: '4' },
            label,
          );
        },
      );
    });

    test('redis.cluster: the pod joins the cluster; a written value is read back', async (t) => {
      if (missing !== undefined) return t.skip(missing);
      const seeds = cluster!.seeds.split(',').slice(0, 2);
      await bothRenderings(
        {
          helm: () => fromHelm({ backend: 'redis', redis: { cluster: seeds, maxStaleness: '30s' } }),
          manifests: () =>
            fromManifests(['--backend', 'redis', '--redis-cluster', seeds.join(','), '--max-staleness', '30s']),
        },
        {},
        async (running, label) => {
          const name = `cluster-${label}`;
          assert.equal(
            await running.write(`/write-metrics/namespaces/default/pods/${name}/jobs_waiting`, '"5"'),
            200,
            running.adapter.logs(),
          );
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/${name}/jobs_waiting`, 1),
            { [name]: '5' },
            label,
          );
        },
      );
    });
  });

  describe('against a real Prometheus', () => {
    let exporter: Exporter;
    let prometheus: PrometheusProcess | undefined;
    let prometheusPort = '';
    const rule = {
      seriesQuery: 'queue_length{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    };

    before(async () => {
      const binary = await findPrometheus();
      if (binary === undefined) return;
      exporter = await startExporter([
        { name: 'queue_length', type: 'gauge', labels: { namespace: 'default', pod: 'web-1' }, value: 7 },
        { name: 'http_requests_total', type: 'counter', labels: { namespace: 'default', pod: 'web-1' }, value: 5 },
        { name: 'queue_depth', type: 'gauge', labels: { namespace: 'default', queue: 'jobs' }, value: 4 },
      ]);
      prometheus = await startPrometheus(binary, [exporter.target]);
      prometheusPort = new URL(prometheus.url).port;
    });
    after(async () => {
      await prometheus?.close();
      await exporter?.close();
    });

    test('prometheus: rules from values (helm) and from --config (manifests) serve the metric', async (t) => {
      if (prometheus === undefined) return t.skip('prometheus is not installed');
      const rulesFile = join(dir, 'rules.yaml');
      await writeFile(rulesFile, stringify({ rules: [rule] }));
      await bothRenderings(
        {
          helm: () =>
            fromHelm({
              backend: 'prometheus',
              prometheus: { url: 'http://127.0.0.1', port: Number(prometheusPort) },
              metricsRelistInterval: '1s',
              rules: { custom: [rule] },
            }),
          manifests: () =>
            fromManifests([
              '--backend',
              'prometheus',
              '--prometheus-url',
              prometheus!.url,
              '--metrics-relist-interval',
              '1s',
              '--config',
              rulesFile,
            ]),
        },
        {},
        async (running, label) => {
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/*/queue_length`, 1),
            { 'web-1': '7' },
            label,
          );
        },
      );
    });

    test('a prometheus-adapter values file serves the metric names its rules name', async (t) => {
      if (prometheus === undefined) return t.skip('prometheus is not installed');
      // NB: only keys of prometheus-adapter's chart (values.yaml of prometheus-community/prometheus-adapter), no
      // `backend`.
      const values = {
        prometheus: { url: 'http://127.0.0.1', port: Number(prometheusPort), path: '' },
        metricsRelistInterval: '1s',
        logLevel: 2,
        rules: {
          default: false,
          custom: [
            {
              seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
              resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
              name: { matches: '^(.*)_total$', as: '${1}_per_second' },
              metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)',
            },
          ],
          external: [
            {
              seriesQuery: 'queue_depth{queue!=""}',
              resources: { overrides: { namespace: { resource: 'namespace' } } },
              metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
            },
          ],
        },
      };
      const running = await startPod(await fromHelm(values));
      try {
        const names = await eventually(
          'discovery of both rules',
          async () => {
            const [customList, externalList] = await Promise.all([running.read(custom), running.read(external)]);
            if (customList.code !== 0 || externalList.code !== 0) return undefined;
            const resources = [customList, externalList].flatMap((out) =>
              (JSON.parse(out.stdout) as { resources: { name: string }[] }).resources.map((r) => r.name),
            );
            return resources.includes('pods/http_requests_per_second') && resources.includes('queue_depth')
              ? resources
              : undefined;
          },
          running.adapter.logs,
        );
        assert.ok(names.includes('namespaces/http_requests_per_second'), names.join(', '));
        const value = await readyAndRead(running, `${external}/namespaces/default/queue_depth`, 1);
        assert.deepEqual(Object.values(value), ['4']);
      } finally {
        await running.stop();
      }
    });

    test('routing: a config with backends and routes is mounted and served', async (t) => {
      if (prometheus === undefined) return t.skip('prometheus is not installed');
      const config = {
        backends: {
          local: { kind: 'memory' },
          prom: { kind: 'prometheus', url: prometheus.url, metricsRelistInterval: '1s', rules: [rule] },
        },
        routes: [{ prefix: 'queue_', backend: 'prom' }],
      };
      const configFile = join(dir, 'routing.yaml');
      await writeFile(configFile, stringify(config));
      await bothRenderings(
        { helm: () => fromHelm({ config }), manifests: () => fromManifests(['--config', configFile]) },
        {},
        async (running, label) => {
          assert.ok(
            !running.pod.args.some((arg) => arg.startsWith('--backend')),
            `${label}: no --backend with a routing config`,
          );
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/*/queue_length`, 1),
            { 'web-1': '7' },
            label,
          );
          assert.equal(await running.write('/write-metrics/namespaces/default/pods/web-2/local_load', '"2"'), 200);
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/web-2/local_load`, 1),
            { 'web-2': '2' },
            label,
          );
        },
      );
    });
  });

  describe('against the Sysdig stand-in', () => {
    let fake: FakeSysdig;
    before(async () => {
      fake = await startFakeSysdig();
      fake.entities = [
        {
          labels: {
            'kubernetes.cluster.name': 'prod',
            'kubernetes.namespace.name': 'default',
            'kubernetes.pod.name': 'kuard-1',
            'kubernetes.pod.label.app': 'kuard',
          },
          values: { 'net.http.request.count': 40 },
        },
      ];
      fake.descriptors = [
        {
          id: 'net.http.request.count',
          metricType: 'counter',
          namespaces: ['kubernetes.cluster', 'kubernetes.namespace', 'kubernetes.pod'],
        },
      ];
    });
    after(async () => fake?.close());

    test('sysdig: the token from the sysdig-api Secret (key access-key), the CA from a Secret', async () => {
      const secrets = {
        'sysdig-api': { 'access-key': fake.token },
        'sysdig-ca': { 'ca.crt': await readFile(fake.caFile, 'utf8') },
      };
      const valuesFile = join(dir, 'sysdig-values.yaml');
      await writeFile(valuesFile, stringify({ sysdig: { caSecret: { name: 'sysdig-ca' } } }));
      await bothRenderings(
        {
          helm: () =>
            fromHelm({
              backend: 'sysdig',
              sysdig: { url: fake.url, clusterName: 'prod', caSecret: { name: 'sysdig-ca' } },
            }),
          manifests: () =>
            fromManifests([
              '--backend',
              'sysdig',
              '--sysdig-url',
              fake.url,
              '--sysdig-cluster-name',
              'prod',
              '--values',
              valuesFile,
            ]),
        },
        { secrets },
        async (running, label) => {
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/kuard-1/net.http.request.count`, 1),
            { 'kuard-1': '40' },
            label,
          );
          assert.ok(!running.adapter.logs().includes(fake.token), 'the token is never logged');
        },
      );
    });
  });

  describe('forwarding to a second adapter', () => {
    let upstream: AdapterProcess;
    before(async () => {
      upstream = await startAdapter();
    });
    after(async () => upstream?.stop());

    test('forward: the upstream CA from values (helm) or --forward-ca-file (manifests); its metric is read through', async () => {
      const write = await fetchUpstream(upstream, '/write-metrics/namespaces/default/pods/api-1/inflight', '"9"');
      assert.equal(write, 200);
      await bothRenderings(
        {
          helm: async () =>
            fromHelm({
              backend: 'forward',
              forward: { url: upstream.url, caBundle: await readFile(upstream.caFile, 'utf8') },
            }),
          manifests: () =>
            fromManifests([
              '--backend',
              'forward',
              '--forward-url',
              upstream.url,
              '--forward-ca-file',
              upstream.caFile,
            ]),
        },
        {},
        async (running, label) => {
          assert.deepEqual(
            await readyAndRead(running, `${custom}/namespaces/default/pods/api-1/inflight`, 1),
            { 'api-1': '9' },
            label,
          );
        },
      );
    });
  });
});

async function fetchUpstream(adapter: AdapterProcess, path: string, body: string): Promise<number> {
  const ca = await readFile(adapter.caFile, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, adapter.url),
      { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
