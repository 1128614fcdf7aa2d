/**
 * Reads the cluster's legacy discovery documents (`/api`, `/api/v1`, `/apis`, `/apis/{group}/{version}`)
 * into a flat list of resources in RESTMapper priority order: the core group first, then the groups in
 * the order `/apis` lists them (the aggregator sorts them by priority), each at its preferred version.
 * @module
 */
import type { KubeClient } from './kube-client.js';

/** One top-level resource (subresources such as `pods/status` are left out). */
export interface DiscoveredResource {
  readonly group: string;
  readonly version: string;
  /** The plural name, as in a URL. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  /** Its subresources in this group version (`scale`, `status`), as discovery lists them (`deployments/scale`). */
  readonly subresources: readonly string[];
}

interface APIResource {
  readonly name: string;
  readonly singularName?: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly shortNames?: readonly string[];
  readonly verbs?: readonly string[];
}

interface APIResourceList {
  readonly resources?: readonly APIResource[];
}

interface APIGroupList {
  readonly groups?: readonly {
    readonly name: string;
    readonly versions?: readonly { readonly groupVersion: string; readonly version: string }[];
    readonly preferredVersion?: { readonly groupVersion: string; readonly version: string };
  }[];
}

interface APIVersions {
  readonly versions?: readonly string[];
}

/**
 * NB: the metrics groups are served by this adapter through the aggregator; asking the cluster for them
 * would ask ourselves, and fail while our own APIService is not yet Available. They hold no objects.
 */
const skippedGroups = new Set(['custom.metrics.k8s.io', 'external.metrics.k8s.io']);

export interface DiscoveryResult {
  readonly resources: readonly DiscoveredResource[];
  /** `group/version`s that failed (an aggregated API that is down); the caller may keep older entries for them. */
  readonly failed: readonly { readonly groupVersion: string; readonly error: Error }[];
}

/** Fetches discovery. Throws when `/api` or `/apis` cannot be read; a failing group is reported in `failed`. */
export async function discoverResources(
  client: Pick<KubeClient, 'getJson'>,
  signal?: AbortSignal,
): Promise<DiscoveryResult> {
  const [core, groups] = await Promise.all([
    client.getJson<APIVersions>('/api', signal),
    client.getJson<APIGroupList>('/apis', signal),
  ]);
  const targets: { group: string; version: string; path: string }[] = [];
  const coreVersion = core.versions?.[0];
  if (coreVersion !== undefined) targets.push({ group: '', version: coreVersion, path: `/api/${coreVersion}` });
  for (const group of groups.groups ?? []) {
    if (skippedGroups.has(group.name)) continue;
    const preferred = group.preferredVersion ?? group.versions?.[0];
    if (preferred !== undefined)
      targets.push({ group: group.name, version: preferred.version, path: `/apis/${preferred.groupVersion}` });
  }
  const lists = await Promise.allSettled(targets.map((target) => client.getJson<APIResourceList>(target.path, signal)));
  const resources: DiscoveredResource[] = [];
  const failed: { groupVersion: string; error: Error }[] = [];
  lists.forEach((result, i) => {
    const target = targets[i]!;
    if (result.status === 'rejected') {
      failed.push({
        groupVersion: target.group === '' ? target.version : `${target.group}/${target.version}`,
        error: result.reason as Error,
      });
      return;
    }
    const subresources = new Map<string, string[]>();
    for (const r of result.value.resources ?? []) {
      const slash = r.name.indexOf('/');
      if (slash > 0)
        subresources.set(r.name.slice(0, slash), [
          ...(subresources.get(r.name.slice(0, slash)) ?? []),
          r.name.slice(slash + 1),
        ]);
    }
    for (const r of result.value.resources ?? []) {
      if (r.name.includes('/')) continue;
      resources.push({
        group: target.group,
        version: target.version,
        resource: r.name,
        // NB: servers before 1.9 (and some aggregated APIs) leave singularName empty; kubectl then uses the lowercased
        // kind.
        singular: r.singularName !== undefined && r.singularName !== '' ? r.singularName : r.kind.toLowerCase(),
        kind: r.kind,
        namespaced: r.namespaced,
        shortNames: r.shortNames ?? [],
        verbs: r.verbs ?? [],
        subresources: subresources.get(r.name) ?? [],
      });
    }
  });
  return { resources, failed };
}
