/**
 * A ResourceMapper built from the cluster's discovery, as client-go's DeferredDiscoveryRESTMapper:
 * plural, singular, Kind and short names (bare or `.group`-qualified) map to the plural group-qualified
 * resource, and every resource maps back to its Kind and preferred `apiVersion`. The table is cached and
 * refreshed on a timer, and soon after a name it does not know (a CRD installed later). Until the first
 * discovery succeeds, the static table of built-in resources answers.
 * @module
 */
import type { Logger } from '../log/index.js';
import type { GroupResource } from '../api/types.js';
import { discoverResources, type DiscoveredResource } from './discovery.js';
import type { KubeClient } from './kube-client.js';
import { parseGroupResource, type ResourceKind, type ResourceMapper } from './resource-mapper.js';
import { createStaticResourceMapper } from './static-resource-mapper.js';

/** Where a resource lives in the API, for list and watch. */
export interface ResourceLocation {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** `scale`, `status`, …; empty when unknown (the built-in table before discovery). */
  readonly subresources?: readonly string[];
}

export interface DiscoveryResourceMapper extends ResourceMapper {
  /** The cluster's resource `gr`, or undefined when the cluster does not serve it. */
  locate(gr: GroupResource): ResourceLocation | undefined;
  /** Reads discovery again now; resolves false (and keeps the old table) when that fails. */
  refresh(): Promise<boolean>;
  /** Whether a discovery has succeeded. */
  readonly loaded: boolean;
  close(): void;
}

export interface DiscoveryResourceMapperOptions {
  readonly client: Pick<KubeClient, 'getJson'>;
  readonly logger: Logger;
  /** How often discovery is read again; default 10 minutes. */
  readonly refreshMs?: number;
  /** The least time between two refreshes caused by unknown names; default 30 s. */
  readonly missRefreshMs?: number;
}

interface Table {
  readonly byAlias: ReadonlyMap<string, GroupResource>;
  readonly byGroupResource: ReadonlyMap<string, DiscoveredResource>;
}

function key(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

function buildTable(resources: readonly DiscoveredResource[]): Table {
  const byAlias = new Map<string, GroupResource>();
  const byGroupResource = new Map<string, DiscoveredResource>();
  // NB: the first resource to claim a name keeps it, so the core group wins over `events.k8s.io` for
  // `events`, as in client-go's PriorityRESTMapper.
  const claim = (alias: string, gr: GroupResource) => {
    if (!byAlias.has(alias)) byAlias.set(alias, gr);
  };
  for (const r of resources) {
    const grKey = key(r.group, r.resource);
    if (!byGroupResource.has(grKey)) byGroupResource.set(grKey, r);
    // NB: one frozen GroupResource per resource, handed to every caller: every request and write resolves one.
    const gr: GroupResource = Object.freeze({ group: r.group, resource: r.resource });
    for (const alias of [r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames]) {
      claim(alias, gr);
      if (r.group !== '') claim(`${alias}.${r.group}`, gr);
    }
  }
  return { byAlias, byGroupResource };
}

/**
 * Builds the mapper and waits for the first discovery; when that fails it logs and serves the static table meanwhile.
 */
export async function createDiscoveryResourceMapper(
  options: DiscoveryResourceMapperOptions,
): Promise<DiscoveryResourceMapper> {
  const { client, logger } = options;
  const fallback = createStaticResourceMapper();
  const missRefreshMs = options.missRefreshMs ?? 30_000;
  let table: Table | undefined;
  let lastRefresh = 0;
  let refreshing: Promise<boolean> | undefined;

  const refresh = (): Promise<boolean> => {
    refreshing ??= (async () => {
      lastRefresh = Date.now();
      try {
        const result = await discoverResources(client, AbortSignal.timeout(30_000));
        const kept =
          table === undefined
            ? []
            : keptForFailedGroups(
                table,
                result.failed.map((f) => f.groupVersion),
              );
        table = buildTable([...result.resources, ...kept]);
        for (const failure of result.failed) {
          logger.warn(
            { groupVersion: failure.groupVersion, err: failure.error.message },
            'discovery of an API group failed; keeping what was known of it',
          );
        }
        return true;
      } catch (error) {
        logger.warn(
          { err: (error as Error).message },
          table === undefined
            ? 'cluster discovery failed; using the built-in resource table until it succeeds'
            : 'cluster discovery refresh failed; keeping the previous resource table',
        );
        return false;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const onMiss = () => {
    if (Date.now() - lastRefresh >= missRefreshMs) void refresh();
  };

  await refresh();
  const timer = setInterval(
    () => void refresh(),
    table === undefined ? Math.min(options.refreshMs ?? 600_000, 30_000) : (options.refreshMs ?? 600_000),
  );
  timer.unref();

  const lookup = (gr: GroupResource) => table?.byGroupResource.get(key(gr.group, gr.resource));

  return {
    get loaded() {
      return table !== undefined;
    },
    refresh,
    close: () => clearInterval(timer),
    resourceFor(text) {
      if (table === undefined) return fallback.resourceFor(text);
      // NB: kubectl matches Kind names case-insensitively (`Pod`, `Deployment`); plural names are lowercase.
      const hit = table.byAlias.get(text) ?? table.byAlias.get(text.toLowerCase());
      if (hit !== undefined) return hit;
      onMiss();
      return parseGroupResource(text);
    },
    kindFor(gr): ResourceKind {
      const hit = lookup(gr);
      if (hit === undefined) {
        if (table !== undefined) onMiss();
        return fallback.kindFor(gr);
      }
      return {
        kind: hit.kind,
        apiVersion: hit.group === '' ? hit.version : `${hit.group}/${hit.version}`,
        namespaced: hit.namespaced,
      };
    },
    locate(gr) {
      const hit = lookup(gr);
      if (hit !== undefined) return hit;
      if (table !== undefined) return undefined;
      // NB: before the first discovery, trust the built-in table for the built-in resources.
      const kind = fallback.kindFor(gr);
      if (kind.namespaced === undefined) return undefined;
      const slash = kind.apiVersion.indexOf('/');
      return {
        group: gr.group,
        version: kind.apiVersion.slice(slash + 1),
        resource: gr.resource,
        kind: kind.kind,
        namespaced: kind.namespaced,
        verbs: ['get', 'list', 'watch'],
      };
    },
  };
}

function keptForFailedGroups(table: Table, failedGroupVersions: readonly string[]): DiscoveredResource[] {
  if (failedGroupVersions.length === 0) return [];
  const failed = new Set(failedGroupVersions);
  return [...table.byGroupResource.values()].filter((r) =>
    failed.has(r.group === '' ? r.version : `${r.group}/${r.version}`),
  );
}

/**
 * A mapper over one discovery result that never refreshes, for one-shot tools (`explain`): the same
 * names as the refreshing mapper; names it does not know pass through, and kinds fall back to the static table.
 */
export function createFixedResourceMapper(
  resources: readonly DiscoveredResource[],
): ResourceMapper & Pick<DiscoveryResourceMapper, 'locate'> {
  const table = buildTable(resources);
  const fallback = createStaticResourceMapper();
  return {
    resourceFor(text) {
      return table.byAlias.get(text) ?? table.byAlias.get(text.toLowerCase()) ?? parseGroupResource(text);
    },
    kindFor(gr) {
      const hit = table.byGroupResource.get(key(gr.group, gr.resource));
      if (hit === undefined) return fallback.kindFor(gr);
      return {
        kind: hit.kind,
        apiVersion: hit.group === '' ? hit.version : `${hit.group}/${hit.version}`,
        namespaced: hit.namespaced,
      };
    },
    locate: (gr) => table.byGroupResource.get(key(gr.group, gr.resource)),
  };
}
