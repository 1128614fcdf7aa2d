/**
 * In-memory custom metrics: one value per (object, metric), written over HTTP like the CMAS test
 * adapter. Series live in per-(namespace, resource) scopes with a label index, so the HPA's
 * selector query costs what it returns, not what the store holds. Hand-written because the layout is
 * the point: no general-purpose store gives that cost or this memory per series. A scope numbers its
 * objects ({@link ObjectSlots}); each metric keeps its values in columns by that number
 * ({@link MetricColumn}), so a series costs about 100 bytes of heap instead of a record per series
 * and per object (measured with `npm run bench:store`).
 * @module
 */
import { metricNotFoundFor, metricNotFoundForSelector, groupResourceString } from '../../api/errors.js';
import { heldBytes, ItemArenas, type HeldBytes } from '../../api/item-arena.js';
import type { ObjectReference } from '../../api/types.js';
import type { ObjectLister, ObjectMatches } from '../../kube/object-lister.js';
import type { ResourceKind, ResourceMapper } from '../../kube/resource-mapper.js';
import { toLabelSelector, type Selector } from '../../selector/index.js';
import type { CustomMetricWrite } from '../write.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  GroupResource,
  MetricValue,
  NamespacedName,
  QueryContext,
} from '../provider.js';
import type { Interner } from './intern.js';
import { MetricColumn } from './metric-column.js';
import { heldItemsLimit } from './held-items.js';
import { ObjectSlots } from './object-slots.js';
import { SelectionCache } from './selection-cache.js';

/** What a selector query returned, reused while neither the values nor the objects' labels changed. */
interface Selection {
  readonly generation: number;
  readonly objectsGeneration: number;
  readonly oldest: number;
  readonly values: readonly MetricValue[];
}

/** The values of one metric in one scope; `ts` is epoch seconds (the wire has second precision). */
class MetricSeries extends MetricColumn {
  /**
   * NB: the HPA, the status page and kubectl ask the same selector query again and again between writes;
   * answering with the same array lets the server reuse the encoded body too (it caches by identity).
   */
  selections: SelectionCache<Selection> | undefined;
  /**
   * Answer items by slot (frozen, with `encodings` for the named form), for queries without a metric selector,
   * dropped when the slot's value changes. NB: a read allocates nothing per item.
   */
  items: (MetricValue | undefined)[] | undefined;
  /**
   * The bytes of those items as the server encodes them, by slot. NB: a list of held items carries these and its
   * slots, so the server assembles an answer that missed the selection cache with a copy per run of items.
   */
  arenas: ItemArenas | undefined;
  /** The `metric` of those items. */
  itemMetric: { readonly name: string; readonly selector: null } | undefined;
}

class ResourceScope {
  readonly objects = new ObjectSlots();
  readonly metrics = new Map<string, MetricSeries>();
  constructor(
    readonly namespace: string,
    readonly groupResource: GroupResource,
  ) {}
}

interface ListedMetric {
  readonly info: CustomMetricInfo;
  /** Scopes holding this metric; the entry goes when none does. */
  scopes: number;
}

export interface CustomStoreOptions {
  readonly mapper: ResourceMapper;
  /** The cluster's objects, answering label selectors; without it the objectLabels given on writes do. */
  readonly objects?: ObjectLister;
  readonly interner: Interner;
  /** Values older than this are not served and are swept; 0 keeps them forever. */
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class CustomStore implements CustomMetricsProvider {
  private readonly scopes = new Map<string, ResourceScope>();
  /**
   * The scope last looked up. NB: writes come in runs to one scope (a pushed request's pods, a seeding loop), and
   * its key is a string built and hashed per lookup.
   */
  private recentScope: ResourceScope | undefined;
  private readonly listed = new Map<string, ListedMetric>();
  private listCache: readonly CustomMetricInfo[] | undefined;
  private seriesTotal = 0;
  /** Items held by all series together, at most {@link heldItemsLimit}. */
  private itemsHeld = 0;
  private readonly now: () => number;

  constructor(private readonly options: CustomStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get seriesCount(): number {
    return this.seriesTotal;
  }

  write(write: CustomMetricWrite): void {
    const { info, name } = write;
    let scope = this.scopeOf(name.namespace, info.groupResource);
    if (scope === undefined) {
      scope = new ResourceScope(name.namespace, info.groupResource);
      this.scopes.set(scopeKey(name.namespace, info.groupResource), scope);
    }
    let metricSeries = scope.metrics.get(info.metric);
    if (metricSeries === undefined) {
      metricSeries = new MetricSeries();
      scope.metrics.set(info.metric, metricSeries);
      this.addListed(info);
    }
    metricSeries.generation++;
    // NB: an answer of an older generation never serves again: drop it now rather than hold its values until replaced.
    metricSeries.selections = undefined;
    const interner = this.options.interner;
    const metricLabels = interner.labels(write.metricLabels).labels;
    const objectLabels = write.objectLabels === undefined ? undefined : interner.labels(write.objectLabels).labels;
    const value = interner.string(write.value.toString());
    const ts = Math.floor(write.timestamp / 1000);
    const objects = scope.objects;
    let slot = objects.slot(name.name);
    if (slot === undefined) slot = objects.slotFor(name.name, objectLabels);
    else if (objectLabels !== undefined) objects.slotFor(name.name, objectLabels);
    this.forgetItem(metricSeries, slot);
    if (metricSeries.set(slot, value, ts, metricLabels, objects.slotLimit)) {
      objects.retain(slot);
      this.seriesTotal++;
    }
  }

  getMetricByName(name: NamespacedName, info: CustomMetricInfo, metricSelector: Selector): MetricValue {
    let namespace = name.namespace;
    let found = this.lookup(namespace, info, name.name);
    // NB: the HPA asks for Object metrics of cluster-scoped kinds (nodes) through the namespaced form
    // (K8S metrics/client.go GetObjectMetric), so fall back to the cluster-scoped value for those.
    if (
      found === undefined &&
      namespace !== '' &&
      this.options.mapper.kindFor(info.groupResource).namespaced === false
    ) {
      namespace = '';
      found = this.lookup('', info, name.name);
    }
    if (found === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
    const { scope, column, slot } = found;
    if (metricSelector.isEmpty()) return this.heldItem(scope, column, slot, info.metric);
    if (!metricSelector.matches(column.labelsAt(slot))) {
      throw metricNotFoundForSelector(info.groupResource, info.metric, name.name, metricSelector.toString());
    }
    return {
      describedObject: describedObjectOf(namespace, this.options.mapper.kindFor(info.groupResource), name.name),
      metric: { name: info.metric, selector: toLabelSelector(metricSelector) },
      timestamp: column.secondsAt(slot) * 1000,
      value: column.valueAt(slot),
    };
  }

  getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx?: QueryContext,
  ): readonly MetricValue[] | Promise<readonly MetricValue[]> {
    const scope = this.scopeOf(namespace, info.groupResource);
    const metricSeries = scope?.metrics.get(info.metric);
    if (scope === undefined || metricSeries === undefined) return [];
    const lister = this.options.objects;
    // NB: a limited read (the status page's) is neither cached nor built past its limit: it would
    // otherwise allocate, and keep, a value object for every series of the namespace every 10 s.
    const limit = ctx?.limit;
    const byLabels = () =>
      limit === undefined
        ? this.cachedSelection(scope, metricSeries, selector, info, metricSelector)
        : this.selectByWrittenLabels(scope, metricSeries, selector, info, metricSelector, limit);
    if (lister === undefined) return byLabels();
    return lister
      .matching(info.groupResource, namespace, selector, ctx?.signal)
      .then((objects) =>
        objects === undefined ? byLabels() : this.selectFrom(scope, metricSeries, info, metricSelector, objects, limit),
      );
  }

  /** A selection by written labels, from the cache while nothing it depends on has changed. */
  private cachedSelection(
    scope: ResourceScope,
    metricSeries: MetricSeries,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
  ): readonly MetricValue[] {
    const key = `${selector.toString()}\u0000${metricSelector.toString()}`;
    const oldest = this.oldestLiveSecond();
    const hit = metricSeries.selections?.get(key);
    if (
      hit !== undefined &&
      hit.generation === metricSeries.generation &&
      hit.objectsGeneration === scope.objects.generation &&
      hit.oldest === oldest
    ) {
      return hit.values;
    }
    const values = Object.freeze(this.selectByWrittenLabels(scope, metricSeries, selector, info, metricSelector));
    (metricSeries.selections ??= new SelectionCache()).set(key, {
      generation: metricSeries.generation,
      objectsGeneration: scope.objects.generation,
      oldest,
      values,
    });
    return values;
  }

  /** The objects the cluster has that match: walk whichever is smaller, the matches or the values. */
  private selectFrom(
    scope: ResourceScope,
    column: MetricSeries,
    info: CustomMetricInfo,
    metricSelector: Selector,
    objects: ObjectMatches,
    limit?: number,
  ): MetricValue[] {
    const expected = Math.min(objects.size, column.count);
    const { finish, emit } = this.collector(scope, column, info, metricSelector, limit, expected);
    const slots = scope.objects;
    if (objects.size < column.count) {
      for (const objectName of objects) {
        const slot = slots.slot(objectName);
        if (slot !== undefined) emit(slot);
      }
    } else {
      column.forEachSlot((slot) => {
        if (objects.has(slots.nameOf(slot))) emit(slot);
      });
    }
    return finish();
  }

  /** Without a cluster: the objectLabels given on writes answer the selector. */
  private selectByWrittenLabels(
    scope: ResourceScope,
    column: MetricSeries,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    limit?: number,
  ): MetricValue[] {
    const slots = scope.objects;
    if (selector.isEmpty()) {
      const { finish, emit } = this.collector(scope, column, info, metricSelector, limit);
      column.forEachSlot(emit);
      return finish();
    }
    const candidates = slots.candidates(selector, column.count);
    if (candidates === undefined) {
      const { finish, emit } = this.collector(scope, column, info, metricSelector, limit);
      column.forEachSlot((slot) => {
        if (selector.matches(slots.labelsOf(slot))) emit(slot);
      });
      return finish();
    }
    // NB: the group's labels are its members' labels: one match answers for all of them.
    const matching = candidates.filter((group) => selector.matches(group.labels));
    let members = 0;
    for (const group of matching) members += group.size;
    const { finish, emit } = this.collector(scope, column, info, metricSelector, limit, members);
    for (const group of matching) for (let i = 0; i < group.size; i++) emit(group.member(i));
    return finish();
  }

  /**
   * `emit(slot)` adds the slot's value when it has one, live, whose metric labels match; `finish()` returns the values
   * added. `limit`: emit stops adding values once this many are in. `expected`: how many `emit` calls are coming at
   * most, when known.
   *
   * NB: with `expected` the lists are made at that size and trimmed once: pushing 100 values into an empty array
   * copies it four times as it grows, which for an answer that misses every cache was more garbage than the answer.
   */
  private collector(
    scope: ResourceScope,
    column: MetricSeries,
    info: CustomMetricInfo,
    metricSelector: Selector,
    limit = Number.POSITIVE_INFINITY,
    expected = 0,
  ): { readonly emit: (slot: number) => void; readonly finish: () => MetricValue[] } {
    const oldest = this.oldestLiveSecond();
    const size = Math.min(expected, limit);
    const results: MetricValue[] = size > 0 ? new Array(size) : [];
    let count = 0;
    if (metricSelector.isEmpty()) {
      const items = (column.items ??= []);
      const numbers: number[] = size > 0 ? new Array(size) : [];
      const arenas = (column.arenas ??= new ItemArenas());
      const held: HeldBytes = { arenas, numbers, changes: arenas.changes };
      // NB: not enumerable: the list compares, copies and prints as the plain list it is.
      Object.defineProperty(results, heldBytes, { value: held });
      const emit = (slot: number): void => {
        if (count >= limit) return;
        // NB: each column read by slot is a cache miss per item of an uncached answer. A held item means the slot has a
        // value (an item goes when its value does), so the values are read only for a slot without one, and the
        // seconds only with a TTL.
        const held = slot < items.length ? items[slot] : undefined;
        if (held === undefined && !column.has(slot)) return;
        if (oldest !== Number.NEGATIVE_INFINITY && column.secondsAt(slot) < oldest) return;
        results[count] = held ?? this.heldItem(scope, column, slot, info.metric);
        numbers[count++] = slot;
      };
      const finish = (): MetricValue[] => {
        if (results.length !== count) results.length = numbers.length = count;
        return results;
      };
      return { emit, finish };
    }
    const namespace = scope.namespace;
    const slots = scope.objects;
    const kind = this.options.mapper.kindFor(info.groupResource);
    const metric = { name: info.metric, selector: toLabelSelector(metricSelector) };
    const emit = (slot: number): void => {
      if (count >= limit || !column.has(slot)) return;
      const ts = column.secondsAt(slot);
      if (ts < oldest || !metricSelector.matches(column.labelsAt(slot))) return;
      results[count++] = {
        describedObject: describedObjectOf(namespace, kind, slots.nameOf(slot)),
        metric,
        timestamp: ts * 1000,
        value: column.valueAt(slot),
      };
    };
    const finish = (): MetricValue[] => {
      if (results.length !== count) results.length = count;
      return results;
    };
    return { emit, finish };
  }

  /**
   * Series of `metric` and objects in one scope (live or not yet swept): what the Redis back end sizes its hashes by.
   */
  scopeSizes(
    namespace: string,
    groupResource: GroupResource,
    metric: string,
  ): { readonly series: number; readonly objects: number } {
    const scope = this.scopes.get(scopeKey(namespace, groupResource));
    return { series: scope?.metrics.get(metric)?.count ?? 0, objects: scope?.objects.size ?? 0 };
  }

  listAllMetrics(): readonly CustomMetricInfo[] {
    this.listCache ??= [...this.listed.values()].map((entry) => entry.info);
    return this.listCache;
  }

  listMetricNamespaces(info: CustomMetricInfo): string[] {
    const namespaces = new Set<string>();
    for (const scope of this.scopes.values()) {
      if (
        scope.groupResource.resource === info.groupResource.resource &&
        scope.groupResource.group === info.groupResource.group &&
        scope.metrics.has(info.metric)
      ) {
        namespaces.add(scope.namespace);
      }
    }
    return [...namespaces].sort();
  }

  /** Forgets the value of `info` for one object; false when there was none. */
  remove(info: CustomMetricInfo, name: NamespacedName): boolean {
    const key = scopeKey(name.namespace, info.groupResource);
    const scope = this.scopes.get(key);
    const metricSeries = scope?.metrics.get(info.metric);
    const slot = scope?.objects.slot(name.name);
    if (scope === undefined || metricSeries === undefined || slot === undefined || !metricSeries.has(slot))
      return false;
    metricSeries.delete(slot);
    this.forgetItem(metricSeries, slot);
    scope.objects.release(slot);
    metricSeries.generation++;
    metricSeries.selections = undefined;
    this.seriesTotal--;
    if (metricSeries.count === 0) {
      scope.metrics.delete(info.metric);
      this.removeListed({
        groupResource: scope.groupResource,
        namespaced: scope.namespace !== '',
        metric: info.metric,
      });
    }
    if (scope.metrics.size === 0) this.deleteScope(key, scope);
    return true;
  }

  /** Drops values older than the TTL; returns how many went. */
  sweep(): number {
    if (this.options.ttlMs <= 0) return 0;
    const oldest = this.oldestLiveSecond();
    let dropped = 0;
    for (const [key, scope] of this.scopes) {
      for (const [metric, metricSeries] of scope.metrics) {
        metricSeries.forEachSlot((slot) => {
          if (metricSeries.secondsAt(slot) >= oldest) return;
          metricSeries.delete(slot);
          this.forgetItem(metricSeries, slot);
          scope.objects.release(slot);
          metricSeries.generation++;
          dropped++;
        });
        if (metricSeries.count === 0) {
          scope.metrics.delete(metric);
          this.removeListed({ groupResource: scope.groupResource, namespaced: scope.namespace !== '', metric });
        }
      }
      if (scope.metrics.size === 0) this.deleteScope(key, scope);
    }
    this.seriesTotal -= dropped;
    return dropped;
  }

  private scopeOf(namespace: string, groupResource: GroupResource): ResourceScope | undefined {
    const recent = this.recentScope;
    if (
      recent !== undefined &&
      recent.namespace === namespace &&
      recent.groupResource.resource === groupResource.resource &&
      recent.groupResource.group === groupResource.group
    ) {
      return recent;
    }
    const scope = this.scopes.get(scopeKey(namespace, groupResource));
    if (scope !== undefined) this.recentScope = scope;
    return scope;
  }

  private deleteScope(key: string, scope: ResourceScope): void {
    this.scopes.delete(key);
    if (this.recentScope === scope) this.recentScope = undefined;
  }

  private forgetItem(metricSeries: MetricSeries, slot: number): void {
    metricSeries.arenas?.drop(slot);
    const items = metricSeries.items;
    if (items === undefined || slot >= items.length || items[slot] === undefined) return;
    items[slot] = undefined;
    this.itemsHeld--;
  }

  /** Empties every series' items, in place: a query may be filling one of them. */
  private dropItems(): void {
    for (const scope of this.scopes.values())
      for (const metricSeries of scope.metrics.values())
        if (metricSeries.items !== undefined) {
          metricSeries.items.length = 0;
          metricSeries.arenas?.clear();
        }
    this.itemsHeld = 0;
  }

  private lookup(
    namespace: string,
    info: CustomMetricInfo,
    name: string,
  ): { scope: ResourceScope; column: MetricSeries; slot: number } | undefined {
    const scope = this.scopeOf(namespace, info.groupResource);
    const column = scope?.metrics.get(info.metric);
    const slot = column === undefined ? undefined : scope!.objects.slot(name);
    if (slot === undefined || !column!.has(slot) || column!.secondsAt(slot) < this.oldestLiveSecond()) return undefined;
    return { scope: scope!, column: column!, slot };
  }

  /** The series' answer item at `slot` for a query without a metric selector, made on first use (see `items`). */
  private heldItem(scope: ResourceScope, column: MetricSeries, slot: number, metric: string): MetricValue {
    const items = (column.items ??= []);
    const held = slot < items.length ? items[slot] : undefined;
    if (held !== undefined) return held;
    const item: MetricValue = Object.freeze({
      describedObject: Object.freeze(
        describedObjectOf(
          scope.namespace,
          this.options.mapper.kindFor(scope.groupResource),
          scope.objects.nameOf(slot),
        ),
      ),
      metric: (column.itemMetric ??= Object.freeze({ name: metric, selector: null })),
      timestamp: column.secondsAt(slot) * 1000,
      value: column.valueAt(slot),
      encodings: {},
    });
    if (this.itemsHeld >= heldItemsLimit) this.dropItems();
    // NB: grown one cell at a time, never by writing past the end: a far write would turn the array into a dictionary.
    while (items.length <= slot) items.push(undefined);
    items[slot] = item;
    this.itemsHeld++;
    return item;
  }

  private oldestLiveSecond(): number {
    return this.options.ttlMs > 0 ? Math.floor((this.now() - this.options.ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
  }

  private addListed(info: CustomMetricInfo): void {
    const key = listedKey(info);
    const entry = this.listed.get(key);
    if (entry !== undefined) {
      entry.scopes++;
      return;
    }
    this.listed.set(key, {
      info: { groupResource: info.groupResource, namespaced: info.namespaced, metric: info.metric },
      scopes: 1,
    });
    this.listCache = undefined;
  }

  private removeListed(info: CustomMetricInfo): void {
    const key = listedKey(info);
    const entry = this.listed.get(key);
    if (entry === undefined || --entry.scopes > 0) return;
    this.listed.delete(key);
    this.listCache = undefined;
  }
}

function describedObjectOf(namespace: string, kind: ResourceKind, name: string): ObjectReference {
  return namespace === ''
    ? { kind: kind.kind, name, apiVersion: kind.apiVersion }
    : { kind: kind.kind, namespace, name, apiVersion: kind.apiVersion };
}

function scopeKey(namespace: string, gr: GroupResource): string {
  return `${namespace}\u0000${groupResourceString(gr)}`;
}

function listedKey(info: CustomMetricInfo): string {
  return `${info.namespaced ? 1 : 0}\u0000${groupResourceString(info.groupResource)}\u0000${info.metric}`;
}
