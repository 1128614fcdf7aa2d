/**
 * A built routing config: running back ends in declaration order, and which one answers a metric.
 * Immutable once built; a reload builds a new table and swaps it in whole.
 * @module
 */
import type { Backend } from '../providers/backend.js';
import type { MetricsApiKind } from './metric-matcher.js';
import type { FreshnessRule, RouteSpec } from './routing-config.js';

export interface RoutedBackend {
  readonly name: string;
  readonly kind: string;
  readonly identity: string;
  readonly backend: Backend;
}

export type Need = 'read' | 'write';

export class RoutingTable {
  private readonly byName: ReadonlyMap<string, RoutedBackend>;
  private readonly cache = new Map<string, RoutedBackend | null>();
  private readonly listedSnapshot: (readonly unknown[] | undefined)[] = [];

  constructor(
    readonly backends: readonly RoutedBackend[],
    readonly routes: readonly RouteSpec[],
    readonly freshness: readonly FreshnessRule[],
    /** Where writes of metrics no route names go (`ingest.backend`); else the first back end taking writes. */
    readonly writeBackend?: string,
  ) {
    this.byName = new Map(backends.map((b) => [b.name, b]));
  }

  freshnessFor(api: MetricsApiKind, metric: string): FreshnessRule | undefined {
    return this.freshness.find((rule) => rule.matches(api, metric));
  }

  /**
   * The back end for a metric: the first route that matches; else the first back end whose discovery lists
   * the metric; else the first back end that can serve the request at all (its answer is then a 404).
   * NB: results are cached per metric until a back end's list changes, so the lookup costs one Map get.
   */
  resolve(api: MetricsApiKind, metric: string, need: Need): RoutedBackend | undefined {
    this.dropCacheIfListsChanged();
    const key = `${need}\u0000${api}\u0000${metric}`;
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = this.lookup(api, metric, need) ?? null;
      this.cache.set(key, hit);
    }
    return hit ?? undefined;
  }

  private lookup(api: MetricsApiKind, metric: string, need: Need): RoutedBackend | undefined {
    for (const route of this.routes) {
      if (route.matches(api, metric)) return this.byName.get(route.backend);
    }
    // NB: reads of such a metric then find it by discovery in the same back end, so a pushed value is served.
    if (need === 'write' && this.writeBackend !== undefined) return this.byName.get(this.writeBackend);
    const able = this.backends.filter((b) =>
      need === 'write' ? b.backend.writer !== undefined : serves(b.backend, api),
    );
    const listing = able.find((b) => lists(b.backend, api, metric));
    return listing ?? able[0];
  }

  /** NB: providers keep a list's identity while it is unchanged (provider.ts), so identity is the whole check. */
  private dropCacheIfListsChanged(): void {
    let changed = false;
    for (let i = 0; i < this.backends.length; i++) {
      const { custom, external } = this.backends[i]!.backend;
      const customList = custom?.listAllMetrics();
      const externalList = external?.listAllExternalMetrics();
      if (this.listedSnapshot[2 * i] !== customList || this.listedSnapshot[2 * i + 1] !== externalList) {
        this.listedSnapshot[2 * i] = customList;
        this.listedSnapshot[2 * i + 1] = externalList;
        changed = true;
      }
    }
    if (changed) this.cache.clear();
  }
}

function serves(backend: Backend, api: MetricsApiKind): boolean {
  return api === 'custom' ? backend.custom !== undefined : backend.external !== undefined;
}

function lists(backend: Backend, api: MetricsApiKind, metric: string): boolean {
  return api === 'custom'
    ? (backend.custom?.listAllMetrics() ?? []).some((info) => info.metric === metric)
    : (backend.external?.listAllExternalMetrics() ?? []).some((info) => info.metric === metric);
}
