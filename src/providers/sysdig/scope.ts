/**
 * Sysdig scope strings (the Data API's `filter`) built from what the HPA names: the object's namespace and
 * name as Sysdig's infrastructure labels (`kubernetes.namespace.name = 'shop' and kubernetes.service.name =
 * 'web'`), label selectors as `kubernetes.pod.label.<key>` labels, and the cluster when one is configured.
 * @module
 */
import { badRequest, groupResourceString } from '../../api/errors.js';
import type { Requirement, Selector } from '../../selector/index.js';
import type { GroupResource } from '../provider.js';

/**
 * A Kubernetes resource as Sysdig labels it: `kubernetes.<entity>.name`, and `<entity>` in descriptors' `namespaces`.
 */
export interface SysdigEntity {
  /** `kubernetes.deployment`: a metric descriptor lists it in `namespaces` when the metric applies. */
  readonly entity: string;
  readonly namespaced: boolean;
}

const entities: ReadonlyMap<string, SysdigEntity> = new Map([
  ['pods', { entity: 'kubernetes.pod', namespaced: true }],
  ['services', { entity: 'kubernetes.service', namespaced: true }],
  ['deployments.apps', { entity: 'kubernetes.deployment', namespaced: true }],
  ['statefulsets.apps', { entity: 'kubernetes.statefulSet', namespaced: true }],
  ['daemonsets.apps', { entity: 'kubernetes.daemonSet', namespaced: true }],
  ['replicasets.apps', { entity: 'kubernetes.replicaSet', namespaced: true }],
  ['jobs.batch', { entity: 'kubernetes.job', namespaced: true }],
  ['namespaces', { entity: 'kubernetes.namespace', namespaced: false }],
  ['nodes', { entity: 'kubernetes.node', namespaced: false }],
]);

/** Every resource Sysdig scopes, as `resource.group` strings, in a stable order. */
export const scopedResources: readonly string[] = [...entities.keys()];

export function entityFor(gr: GroupResource): SysdigEntity | undefined {
  return entities.get(groupResourceString(gr));
}

export const namespaceLabel = 'kubernetes.namespace.name';
export const clusterLabel = 'kubernetes.cluster.name';

/**
 * A value in single quotes. NB: no Kubernetes name or label value can hold a quote or a backslash, so one
 * that does is a caller's mistake, refused rather than escaped into a scope whose grammar we cannot test here.
 */
export function quote(value: string): string {
  if (/['\\]/.test(value))
    throw badRequest(`"${value}" cannot be used in a Sysdig scope: it holds a quote or a backslash`);
  return `'${value}'`;
}

/** `label = 'value'`. */
export function equals(label: string, value: string): string {
  return `${label} = ${quote(value)}`;
}

function requirementFilter(label: string, requirement: Requirement): string {
  const values = requirement.values;
  switch (requirement.operator) {
    case '=':
    case '==':
      return equals(label, values[0]!);
    case '!=':
      return `${label} != ${quote(values[0]!)}`;
    case 'in':
      return values.length === 1 ? equals(label, values[0]!) : `${label} in (${values.map(quote).join(', ')})`;
    case 'notin':
      return `${label} not in (${values.map(quote).join(', ')})`;
    default:
      // NB: exists, !, gt and lt have no Data API scope operator we can rely on; say so instead of widening the answer.
      throw badRequest(
        `the selector requirement on "${requirement.key}" (${requirement.operator}) cannot be expressed as a Sysdig scope; use =, !=, in or notin`,
      );
  }
}

/** One clause per requirement; `label(key)` names the Sysdig label a selector key means. */
export function selectorFilters(selector: Selector, label: (key: string) => string): string[] {
  return selector.requirements.map((requirement) => requirementFilter(label(requirement.key), requirement));
}

/** `kubernetes.pod.label.app` for the pod label `app`: how Sysdig exposes an object's Kubernetes labels. */
export function objectLabel(entity: SysdigEntity, key: string): string {
  return `${entity.entity}.label.${key}`;
}

export function nameLabel(entity: SysdigEntity): string {
  return `${entity.entity}.name`;
}

/** The clauses joined as Sysdig reads them; undefined when there are none (the whole account). */
export function joinFilters(clauses: readonly string[]): string | undefined {
  return clauses.length === 0 ? undefined : clauses.join(' and ');
}

/**
 * The clauses naming one object. NB: k8s-sysdig-adapter v0.2 named a workload through a Service as
 * `deployment;kuard` and scoped by `kubernetes.workload.type`/`kubernetes.workload.name`; such a name keeps
 * working here so its HPA manifests need no change.
 */
export function objectFilters(entity: SysdigEntity, namespace: string, name: string): string[] {
  const clauses = entity.namespaced && namespace !== '' ? [equals(namespaceLabel, namespace)] : [];
  const semicolon = name.indexOf(';');
  if (entity.entity === 'kubernetes.service' && semicolon > 0) {
    clauses.push(
      equals('kubernetes.workload.type', name.slice(0, semicolon)),
      equals('kubernetes.workload.name', name.slice(semicolon + 1)),
    );
  } else {
    clauses.push(equals(nameLabel(entity), name));
  }
  return clauses;
}
