import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { formatManifests, manifestsValues, renderManifests, type KubeObject } from './render-manifests.js';
import { ChartValuesError } from './template/index.js';

/** The kubernetes-models class (JSON-schema validation from the Kubernetes OpenAPI) for each kind. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiregistration.k8s.io/v1/APIService': APIService,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
};

function validate(object: KubeObject, where: string): void {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  assert.ok(Model, `${where}: no schema for ${object.apiVersion} ${object.kind}`);
  assert.doesNotThrow(() => new Model(object as never).validate(), `${where}: ${object.kind} ${object.metadata.name}`);
}

const root = new URL('../../deploy/', import.meta.url);

test('a manifest with a missing required field fails the schema check', () => {
  assert.throws(() =>
    new APIService({ metadata: { name: 'x' }, spec: { groupPriorityMinimum: 'high' } } as never).validate(),
  );
  assert.throws(() => new Deployment({ metadata: { name: 'x' }, spec: { template: {} } } as never).validate());
});

test('every file in deploy/ holds one object, named by its kind, that passes the Kubernetes schema', async () => {
  for (const dir of ['examples/', 'sysdig/']) {
    for (const file of (await readdir(new URL(dir, root))).filter((f) => f.endsWith('.yaml'))) {
      const docs = parseAllDocuments(await readFile(new URL(`${dir}${file}`, root), 'utf8'));
      assert.ok(!Array.isArray(docs) || docs.length === 1, `${file}: one object per file`);
      const doc = Array.isArray(docs) ? docs[0]! : docs;
      assert.deepEqual(doc.errors, [], file);
      const object = doc.toJS() as KubeObject;
      const kebabKind = object.kind
        .replace(/API/g, 'Api')
        .replace(/([a-z])([A-Z])/g, '$1-$2')
        .toLowerCase();
      assert.ok(
        file.startsWith(kebabKind) || file.startsWith(kebabKind.replace('horizontal-pod-autoscaler', 'hpa')),
        `${file} is named by its kind ${object.kind}`,
      );
      validate(object, `${dir}${file}`);
    }
  }
});

test('rendering puts every object in the namespace and wires caBundle, Secret, image and back end', async () => {
  const objects = await renderManifests({
    namespace: 'metrics',
    image: 'example/metrics-adapter:9',
    backend: 'memory',
  });
  for (const object of objects) validate(object, 'rendered');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  assert.equal(objects[0]!.kind, 'CustomResourceDefinition', "the chart's crds/ first, as helm install applies them");
  assert.equal(objects[1]!.kind, 'Namespace', 'next, so kubectl apply creates it before what lives in it');
  assert.deepEqual(
    byKind('Namespace').map((o) => o.metadata.name),
    ['metrics'],
  );
  for (const object of objects) {
    if (object.metadata.namespace === undefined) continue;
    const expected =
      object.kind === 'RoleBinding' && object.metadata.name.endsWith('-auth-reader') ? 'kube-system' : 'metrics';
    assert.equal(object.metadata.namespace, expected, `${object.kind} ${object.metadata.name}`);
  }
  const subjects = objects.flatMap((o) => (o.subjects as { name: string; namespace: string }[] | undefined) ?? []);
  assert.deepEqual([...new Set(subjects.map((s) => `${s.namespace}/${s.name}`))].sort(), [
    'kube-system/horizontal-pod-autoscaler',
    'metrics/metrics-adapter',
  ]);
  const authReader = byKind('RoleBinding').find((b) => b.metadata.name.endsWith('-auth-reader'))!;
  assert.deepEqual(authReader.roleRef, {
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name: 'extension-apiserver-authentication-reader',
  });
  assert.ok(byKind('ClusterRoleBinding').some((b) => (b.roleRef as { name: string }).name === 'system:auth-delegator'));
  assert.ok(byKind('ClusterRole').some((r) => r.metadata.name === 'metrics-adapter-writer'));

  // spec §7.1: one APIService per served version, v1beta2 preferred over v1beta1.
  const services = byKind('APIService').map((o) => ({
    name: o.metadata.name,
    spec: o.spec as Record<string, unknown> & { caBundle: string; service: unknown },
  }));
  assert.deepEqual(
    services.map((s) => [s.name, s.spec.groupPriorityMinimum, s.spec.versionPriority]),
    [
      ['v1beta1.custom.metrics.k8s.io', 100, 100],
      ['v1beta2.custom.metrics.k8s.io', 100, 200],
      ['v1beta1.external.metrics.k8s.io', 100, 100],
    ],
  );
  for (const s of services) {
    assert.deepEqual(s.spec.service, { name: 'metrics-adapter', namespace: 'metrics', port: 443 });
    assert.equal(s.spec.insecureSkipTLSVerify, undefined);
  }

  // The caBundle verifies the Secret's serving certificate for the name the aggregator checks.
  const secret = byKind('Secret')[0]!;
  assert.equal(secret.type, 'kubernetes.io/tls');
  const data = secret.data as Record<string, string>;
  const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const ca = new X509Certificate(decode(services[0]!.spec.caBundle));
  const serving = new X509Certificate(decode(data['tls.crt']!));
  assert.equal(decode(data['ca.crt']!), ca.toString());
  assert.ok(serving.verify(ca.publicKey));
  assert.ok(serving.checkHost('metrics-adapter.metrics.svc'));
  assert.equal(serving.checkHost('metrics-adapter.other.svc'), undefined);
  assert.ok(createPublicKey(createPrivateKey(decode(data['tls.key']!))).equals(serving.publicKey));
  assert.ok(new Set(services.map((s) => s.spec.caBundle)).size === 1);

  const deployment = byKind('Deployment')[0]!;
  const pod = (
    deployment.spec as {
      template: {
        spec: Record<string, unknown> & {
          containers: Record<string, unknown>[];
          volumes: { secret?: { secretName: string } }[];
        };
      };
    }
  ).template.spec;
  const container = pod.containers[0]! as {
    image: string;
    args: string[];
    securityContext: Record<string, unknown>;
    livenessProbe: { httpGet: { path: string } };
    readinessProbe: { httpGet: { path: string } };
    resources: { requests: unknown };
  };
  assert.equal(container.image, 'example/metrics-adapter:9');
  assert.ok(container.args.includes('--backend=memory'));
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot, true);
  assert.deepEqual(
    [container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path],
    ['/livez', '/readyz'],
  );
  assert.ok(container.resources.requests);
  assert.ok(pod.volumes.some((v) => v.secret?.secretName === secret.metadata.name));

  const text = formatManifests(objects, 'generated');
  assert.ok(text.startsWith('# generated\n---\n'));
  assert.equal(text.split('\n---\n').length, objects.length + 1);
});

test('flags become chart values: their own keys where the chart has one, extraArguments for the rest', async () => {
  const values = await manifestsValues({
    namespace: 'metrics',
    image: 'registry.example.com:5000/team/metrics-adapter:2.0',
    backend: 'prometheus',
    backendFlags: {
      'prometheus-url': 'http://prom:9090/sub',
      'metrics-relist-interval': '30s',
      'prometheus-verb': 'POST',
      'prometheus-insecure-skip-tls-verify': true,
    },
    config: { rules: [] },
  });
  assert.deepEqual(values.image, {
    repository: 'registry.example.com:5000/team/metrics-adapter',
    tag: '2.0',
    digest: '',
  });
  assert.deepEqual(values.prometheus, {
    url: 'http://prom:9090/sub',
    port: null,
    path: '',
    auth: { insecureSkipTLSVerify: true },
  });
  assert.equal(values.metricsRelistInterval, '30s');
  assert.deepEqual(values.extraArguments, ['--prometheus-verb=POST']);
  assert.equal(values.backend, 'prometheus');
  assert.deepEqual((await manifestsValues({ namespace: 'm', image: 'a/b@sha256:abc' })).image, {
    repository: 'a/b',
    digest: 'sha256:abc',
    tag: '',
  });
  assert.equal(
    (await manifestsValues({ namespace: 'm', image: 'x', config: { backend: 'redis' } })).backend,
    'redis',
    'the config file names the back end',
  );
  assert.equal(
    (await manifestsValues({ namespace: 'm', image: 'x', backend: 'memory', config: { backends: {} } })).backend,
    '',
    'none with a routing config',
  );
});

test('the resource metrics API and its reader role are rendered only when asked for, with the same caBundle', async () => {
  const apiServices = (objects: readonly KubeObject[]) =>
    objects
      .filter((o) => o.kind === 'APIService')
      .map((o) => o.metadata.name)
      .sort();
  const plain = await renderManifests({ namespace: 'metrics', image: 'i', backend: 'memory' });
  assert.deepEqual(apiServices(plain), [
    'v1beta1.custom.metrics.k8s.io',
    'v1beta1.external.metrics.k8s.io',
    'v1beta2.custom.metrics.k8s.io',
  ]);
  assert.ok(!plain.some((o) => o.metadata.name === 'system:aggregated-metrics-reader'));
  const withResource = await renderManifests({
    namespace: 'metrics',
    image: 'i',
    backend: 'memory',
    resourceMetrics: true,
  });
  for (const object of withResource) validate(object, 'rendered with resource metrics');
  assert.deepEqual(apiServices(withResource), [
    'v1beta1.custom.metrics.k8s.io',
    'v1beta1.external.metrics.k8s.io',
    'v1beta1.metrics.k8s.io',
    'v1beta2.custom.metrics.k8s.io',
  ]);
  const spec = (name: string) =>
    withResource.find((o) => o.metadata.name === name)!.spec as {
      service: { namespace: string };
      caBundle: string;
      group: string;
    };
  assert.equal(spec('v1beta1.metrics.k8s.io').group, 'metrics.k8s.io');
  assert.equal(spec('v1beta1.metrics.k8s.io').service.namespace, 'metrics');
  assert.equal(spec('v1beta1.metrics.k8s.io').caBundle, spec('v1beta1.external.metrics.k8s.io').caBundle);
  const reader = withResource.find(
    (o) => o.kind === 'ClusterRole' && o.metadata.name === 'system:aggregated-metrics-reader',
  )!;
  assert.equal(reader.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-view'], 'true');
});

test('--default-rules becomes rules.default, which passes --default-rules to serve and needs no other rules', async () => {
  const values = await manifestsValues({
    namespace: 'm',
    image: 'x',
    backend: 'prometheus',
    backendFlags: { 'prometheus-url': 'http://prom:9090', 'default-rules': true },
  });
  assert.deepEqual(values.rules, { default: true });
  assert.equal(values.extraArguments, undefined);
  const objects = await renderManifests({
    namespace: 'm',
    image: 'x',
    backend: 'prometheus',
    backendFlags: { 'prometheus-url': 'http://prom:9090', 'default-rules': true },
  });
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const args = (deployment.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec
    .containers[0]!.args;
  assert.ok(args.includes('--default-rules'), args.join(' '));
  assert.ok(args.includes('--backend=prometheus'));
});

test('a namespace that is not a DNS label is refused', async () => {
  await assert.rejects(renderManifests({ namespace: 'Not_OK', image: 'x', backend: 'memory' }), RangeError);
});

test("replicas > 1 with the memory back end is refused with the chart's message", async () => {
  await assert.rejects(
    renderManifests({ namespace: 'm', image: 'x', backend: 'memory', replicas: 2 }),
    (error: Error) => error instanceof ChartValuesError && /replicas > 1 needs a shared back end/.test(error.message),
  );
  const objects = await renderManifests({
    namespace: 'm',
    image: 'x',
    backend: 'redis',
    replicas: 2,
    backendFlags: { 'redis-url': 'redis://r:6379' },
  });
  assert.equal((objects.find((o) => o.kind === 'Deployment')!.spec as { replicas: number }).replicas, 2);
});

test('a config file read at start is a checksum on the pod, so changing it rolls the pods; a routing config is not', async () => {
  const checksum = async (config: Record<string, unknown>, backend?: string) => {
    const objects = await renderManifests({
      namespace: 'm',
      image: 'x',
      config,
      ...(backend !== undefined ? { backend } : {}),
      backendFlags: backend === 'prometheus' ? { 'prometheus-url': 'http://p:9090' } : {},
    });
    const pod = (
      objects.find((o) => o.kind === 'Deployment')!.spec as {
        template: { metadata: { annotations?: Record<string, string> } };
      }
    ).template;
    return pod.metadata.annotations?.['checksum/config'];
  };
  const rule = (series: string) => ({
    rules: [
      {
        seriesQuery: series,
        resources: { template: '<<.Resource>>' },
        metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
      },
    ],
  });
  const first = await checksum(rule('a_total'), 'prometheus');
  assert.match(first ?? '', /^[0-9a-f]{64}$/);
  assert.notEqual(await checksum(rule('b_total'), 'prometheus'), first);
  assert.equal(await checksum({ backends: { local: { kind: 'memory' } } }), undefined);
});
