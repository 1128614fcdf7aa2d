import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { formatManifests, renderManifests, type KubeObject } from './render-manifests.js';

/** The kubernetes-models class (JSON-schema validation from the Kubernetes OpenAPI) for each kind. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'apiregistration.k8s.io/v1/APIService': APIService,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

function validate(object: KubeObject, where: string): void {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  assert.ok(Model, `${where}: no schema for ${object.apiVersion} ${object.kind}`);
  assert.doesNotThrow(() => new Model(object as never).validate(), `${where}: ${object.kind} ${object.metadata.name}`);
}

const root = new URL('../../deploy/', import.meta.url);

test('a manifest with a missing required field fails the schema check', () => {
  assert.throws(() => new APIService({ metadata: { name: 'x' }, spec: { groupPriorityMinimum: 'high' } } as never).validate());
  assert.throws(() => new Deployment({ metadata: { name: 'x' }, spec: { template: {} } } as never).validate());
});

test('every file in deploy/ holds one object, named by its kind, that passes the Kubernetes schema', async () => {
  for (const dir of ['manifests/', 'manifests/resource-metrics/', 'examples/']) {
    for (const file of (await readdir(new URL(dir, root))).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
      const docs = parseAllDocuments(await readFile(new URL(`${dir}${file}`, root), 'utf8'));
      assert.ok(!Array.isArray(docs) || docs.length === 1, `${file}: one object per file`);
      const doc = Array.isArray(docs) ? docs[0]! : docs;
      assert.deepEqual(doc.errors, [], file);
      const object = doc.toJS() as KubeObject;
      const kebabKind = object.kind.replace(/API/g, 'Api').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      assert.ok(file.startsWith(kebabKind) || file.startsWith(kebabKind.replace('horizontal-pod-autoscaler', 'hpa')), `${file} is named by its kind ${object.kind}`);
      validate(object, `${dir}${file}`);
    }
  }
});

test('rendering moves every object to the namespace and wires caBundle, Secret, image and back end', async () => {
  const objects = await renderManifests({ namespace: 'metrics', image: 'example/metrics-adapter:9', backend: 'memory' });
  for (const object of objects) validate(object, 'rendered');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  assert.deepEqual(byKind('Namespace').map((o) => o.metadata.name), ['metrics']);
  for (const object of objects) {
    if (object.metadata.namespace === undefined) continue;
    const expected = object.kind === 'RoleBinding' ? 'kube-system' : 'metrics';
    assert.equal(object.metadata.namespace, expected, `${object.kind} ${object.metadata.name}`);
  }
  const subjects = objects.flatMap((o) => (o.subjects as { name: string; namespace: string }[] | undefined) ?? []);
  assert.deepEqual([...new Set(subjects.map((s) => `${s.namespace}/${s.name}`))].sort(), ['kube-system/horizontal-pod-autoscaler', 'metrics/metrics-adapter']);
  const authReader = byKind('RoleBinding')[0]!;
  assert.deepEqual(authReader.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
  assert.ok(byKind('ClusterRoleBinding').some((b) => (b.roleRef as { name: string }).name === 'system:auth-delegator'));

  // spec §7.1: one APIService per served version, v1beta2 preferred over v1beta1.
  const services = byKind('APIService').map((o) => ({ name: o.metadata.name, spec: o.spec as Record<string, unknown> & { caBundle: string; service: unknown } }));
  assert.deepEqual(services.map((s) => [s.name, s.spec.groupPriorityMinimum, s.spec.versionPriority]), [
    ['v1beta1.custom.metrics.k8s.io', 100, 100],
    ['v1beta2.custom.metrics.k8s.io', 100, 200],
    ['v1beta1.external.metrics.k8s.io', 100, 100],
  ]);
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
  const pod = (deployment.spec as { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; volumes: { secret?: { secretName: string } }[] } } }).template.spec;
  const container = pod.containers[0]! as { image: string; args: string[]; securityContext: Record<string, unknown>; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; resources: { requests: unknown } };
  assert.equal(container.image, 'example/metrics-adapter:9');
  assert.ok(container.args.includes('--backend=memory'));
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal((pod.securityContext as { runAsNonRoot: boolean }).runAsNonRoot, true);
  assert.deepEqual([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path], ['/livez', '/readyz']);
  assert.ok(container.resources.requests);
  assert.ok(pod.volumes.some((v) => v.secret?.secretName === secret.metadata.name));

  const text = formatManifests(objects, 'generated');
  assert.ok(text.startsWith('# generated\n---\n'));
  assert.equal(text.split('\n---\n').length, objects.length + 1);
});

test('the resource metrics API is registered only when asked for', async () => {
  const apiServices = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'APIService').map((o) => o.metadata.name).sort();
  const plain = await renderManifests({ namespace: 'metrics', image: 'i', backend: 'prometheus' });
  assert.deepEqual(apiServices(plain), ['v1beta1.custom.metrics.k8s.io', 'v1beta1.external.metrics.k8s.io', 'v1beta2.custom.metrics.k8s.io']);
  const withResource = await renderManifests({ namespace: 'metrics', image: 'i', backend: 'prometheus', resourceMetrics: true });
  for (const object of withResource) validate(object, 'rendered with resource metrics');
  assert.deepEqual(apiServices(withResource), ['v1beta1.custom.metrics.k8s.io', 'v1beta1.external.metrics.k8s.io', 'v1beta1.metrics.k8s.io', 'v1beta2.custom.metrics.k8s.io']);
  const resource = withResource.find((o) => o.metadata.name === 'v1beta1.metrics.k8s.io')!;
  const spec = resource.spec as { service: { namespace: string }; caBundle: string; group: string };
  assert.equal(spec.service.namespace, 'metrics');
  assert.equal(spec.group, 'metrics.k8s.io');
  assert.equal(spec.caBundle, (withResource.find((o) => o.metadata.name === 'v1beta1.external.metrics.k8s.io')!.spec as { caBundle: string }).caBundle);
  assert.ok(withResource.some((o) => o.kind === 'ClusterRole' && o.metadata.name === 'system:aggregated-metrics-reader'));
});

test('a namespace that is not a DNS label is refused', async () => {
  await assert.rejects(renderManifests({ namespace: 'Not_OK', image: 'x', backend: 'memory' }), RangeError);
});
