/**
 * Renders `deploy/manifests` (the kustomize base, one object per file) for a namespace, image and back
 * end, with a fresh CA: its PEM becomes every APIService's caBundle, and the serving certificate it
 * signed for `metrics-adapter.<namespace>.svc` goes into the Secret the Deployment mounts.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { dns1123LabelProblem } from '../api/names.js';
import { generateCertificates } from '../certs/generate-certificates.js';
import { collectSubjectAltNames } from '../certs/subject-alt-names.js';

/** A Kubernetes object as YAML gives it. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

export interface RenderManifestsOptions {
  readonly namespace: string;
  readonly image: string;
  readonly backend: string;
  /** Lifetime of the CA and serving certificate; default 365 days. */
  readonly validityDays?: number;
  /** Add the opt-in resource metrics API (`resource-metrics/`: APIService v1beta1.metrics.k8s.io, its reader role). */
  readonly resourceMetrics?: boolean;
  /** Where the base lives; default the package's deploy/manifests. */
  readonly manifestsDir?: URL;
}

/** The namespace, ServiceAccount, Service and Secret names the base uses. */
export const baseNamespace = 'custom-metrics';
export const serviceName = 'metrics-adapter';
export const tlsSecretName = 'metrics-adapter-tls';

const defaultDir = new URL('../../deploy/manifests/', import.meta.url);
const commonLabels = { 'app.kubernetes.io/name': 'metrics-adapter', 'app.kubernetes.io/part-of': 'metrics-adapter' };

/** Throws RangeError for a namespace that is not a DNS-1123 label. */
export async function renderManifests(options: RenderManifestsOptions): Promise<KubeObject[]> {
  const problem = dns1123LabelProblem(options.namespace);
  if (problem !== undefined) throw new RangeError(`invalid namespace ${JSON.stringify(options.namespace)}: ${problem}`);
  const dir = options.manifestsDir ?? defaultDir;
  const objects = await readKustomization(dir);
  if (options.resourceMetrics === true) objects.push(...await readKustomization(new URL('resource-metrics/', dir)));

  const ns = options.namespace;
  const certs = await servingCertificate(ns, options.validityDays ?? 365);
  const rendered: KubeObject[] = [];
  for (const object of objects) {
    const copy = structuredClone(object);
    copy.metadata.labels = { ...commonLabels, ...copy.metadata.labels };
    if (copy.kind === 'Namespace') copy.metadata.name = ns;
    if (copy.metadata.namespace === baseNamespace) copy.metadata.namespace = ns;
    for (const subject of (copy.subjects as { namespace?: string }[] | undefined) ?? []) {
      if (subject.namespace === baseNamespace) subject.namespace = ns;
    }
    if (copy.kind === 'APIService') {
      const spec = copy.spec as { service: { namespace: string }; caBundle?: string };
      spec.service.namespace = ns;
      spec.caBundle = Buffer.from(certs.caPem).toString('base64');
    }
    if (copy.kind === 'Deployment') configureContainer(copy, options);
    rendered.push(copy);
    if (copy.kind === 'ServiceAccount') rendered.push(tlsSecret(ns, certs));
  }
  return rendered;
}

async function readKustomization(dir: URL): Promise<KubeObject[]> {
  const kustomization = parse(await readFile(new URL('kustomization.yaml', dir), 'utf8')) as { resources: string[] };
  return Promise.all(kustomization.resources.map(async (file) => parse(await readFile(new URL(file, dir), 'utf8')) as KubeObject));
}

/** Multi-document YAML, one object per document, as `kubectl apply -f -` reads it. */
export function formatManifests(objects: readonly KubeObject[], header: string): string {
  const comments = header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n');
  return `${comments}\n${objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('')}`;
}

function configureContainer(deployment: KubeObject, options: RenderManifestsOptions): void {
  const spec = deployment.spec as { template: { spec: { containers: { image: string; args: string[] }[] } } };
  const container = spec.template.spec.containers[0]!;
  container.image = options.image;
  container.args = container.args.map((arg) => (arg.startsWith('--backend=') ? `--backend=${options.backend}` : arg));
}

function servingCertificate(namespace: string, validityDays: number) {
  const now = Date.now();
  const service = `${serviceName}.${namespace}`;
  return generateCertificates({
    // NB: the aggregator verifies `{service}.{namespace}.svc` (spec §7.1); the longer forms serve direct callers.
    names: collectSubjectAltNames([serviceName, service, `${service}.svc`, `${service}.svc.cluster.local`]),
    notBefore: new Date(now - 60 * 60_000),
    notAfter: new Date(now + validityDays * 24 * 60 * 60_000),
    commonName: `${service}.svc`,
  });
}

function tlsSecret(namespace: string, certs: { caPem: string; certPem: string; keyPem: string }): KubeObject {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: tlsSecretName, namespace, labels: { ...commonLabels } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(certs.certPem), 'tls.key': b64(certs.keyPem), 'ca.crt': b64(certs.caPem) },
  };
}
