/**
 * A ResourceMapper for running without a cluster: the built-in Kubernetes resources an HPA can
 * describe, with their kinds, versions, singular and short names (as `kubectl api-resources` lists
 * them). Unknown resources pass through; their kind is guessed from the plural, which is why a
 * connected cluster's discovery replaces this mapper.
 * @module
 */
import { parseGroupResource, type ResourceKind, type ResourceMapper } from './resource-mapper.js';
import type { GroupResource } from '../api/types.js';

interface KnownResource {
  readonly resource: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
}

const known: readonly KnownResource[] = [
  { resource: 'pods', group: '', version: 'v1', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { resource: 'services', group: '', version: 'v1', kind: 'Service', namespaced: true, shortNames: ['svc'] },
  { resource: 'nodes', group: '', version: 'v1', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { resource: 'namespaces', group: '', version: 'v1', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  {
    resource: 'persistentvolumeclaims',
    group: '',
    version: 'v1',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
  },
  {
    resource: 'persistentvolumes',
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
  },
  {
    resource: 'replicationcontrollers',
    group: '',
    version: 'v1',
    kind: 'ReplicationController',
    namespaced: true,
    shortNames: ['rc'],
  },
  { resource: 'endpoints', group: '', version: 'v1', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  { resource: 'configmaps', group: '', version: 'v1', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  {
    resource: 'serviceaccounts',
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
  },
  {
    resource: 'deployments',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
  },
  {
    resource: 'statefulsets',
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
  },
  { resource: 'replicasets', group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true, shortNames: ['rs'] },
  { resource: 'daemonsets', group: 'apps', version: 'v1', kind: 'DaemonSet', namespaced: true, shortNames: ['ds'] },
  { resource: 'jobs', group: 'batch', version: 'v1', kind: 'Job', namespaced: true, shortNames: [] },
  { resource: 'cronjobs', group: 'batch', version: 'v1', kind: 'CronJob', namespaced: true, shortNames: ['cj'] },
  {
    resource: 'ingresses',
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
  },
  {
    resource: 'horizontalpodautoscalers',
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
  },
  {
    resource: 'poddisruptionbudgets',
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
  },
];

function singularOf(kind: string): string {
  return kind.toLowerCase();
}

/** Creates the mapper used when no cluster is connected. */
export function createStaticResourceMapper(): ResourceMapper {
  // NB: one frozen GroupResource per known resource, handed to every caller: every request and write resolves one.
  const byAlias = new Map<string, GroupResource>();
  const byGroupResource = new Map<string, KnownResource>();
  for (const r of known) {
    const qualified = r.group === '' ? r.resource : `${r.resource}.${r.group}`;
    byGroupResource.set(qualified, r);
    const groupResource: GroupResource = Object.freeze({ group: r.group, resource: r.resource });
    for (const alias of [r.resource, singularOf(r.kind), ...r.shortNames]) {
      byAlias.set(alias, groupResource);
      if (r.group !== '') byAlias.set(`${alias}.${r.group}`, groupResource);
    }
  }

  return {
    resourceFor(text) {
      // NB: kubectl matches Kind names case-insensitively (`Pod`, `Deployment`); plural names are lowercase.
      return byAlias.get(text) ?? byAlias.get(text.toLowerCase()) ?? parseGroupResource(text);
    },
    kindFor(gr: GroupResource): ResourceKind {
      const hit = byGroupResource.get(gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`);
      if (hit) {
        return {
          kind: hit.kind,
          apiVersion: hit.group === '' ? hit.version : `${hit.group}/${hit.version}`,
          namespaced: hit.namespaced,
        };
      }
      return {
        kind: guessKind(gr.resource),
        apiVersion: gr.group === '' ? 'v1' : `${gr.group}/v1`,
        namespaced: undefined,
      };
    },
  };
}

/** `widgets` → `Widget`, `classes` → `Class`, `policies` → `Policy`: a best effort without discovery. */
function guessKind(plural: string): string {
  let singular = plural;
  if (plural.endsWith('ies')) singular = `${plural.slice(0, -3)}y`;
  else if (/(ss|x|ch|sh)es$/.test(plural)) singular = plural.slice(0, -2);
  else if (plural.endsWith('s') && !plural.endsWith('ss')) singular = plural.slice(0, -1);
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}
