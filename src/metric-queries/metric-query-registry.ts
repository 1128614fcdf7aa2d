/**
 * The MetricQuery objects the informer delivered, each compiled (or with the reason it cannot be), indexed
 * by namespace and name, and what the adapter has seen of each since: when a client last read it, its last
 * evaluation, a query the back end refused. Discovery lists are rebuilt only when an object changes, and keep
 * their identity otherwise (provider.ts).
 * @module
 */
import { groupResourceString } from '../api/errors.js';
import type { CustomMetricInfo, ExternalMetricInfo } from '../providers/provider.js';
import {
  compileMetricQuery,
  MetricQueryInvalid,
  type CompileOptions,
  type CompiledMetricQuery,
} from './compile-metric-query.js';
import type { MetricQueryObject } from './metric-query.js';

export interface Evaluation {
  /** Epoch ms. */
  readonly at: number;
  /** undefined when the query gave no usable value. */
  readonly value: string | undefined;
  readonly series: number;
}

export interface MetricQueryEntry {
  readonly key: string;
  object: MetricQueryObject;
  compiled: CompiledMetricQuery | undefined;
  invalid: { readonly reason: string; readonly message: string } | undefined;
  /** The back end refused the query (a PromQL error only Prometheus finds); cleared by the next good run. */
  rejected: string | undefined;
  /** The back end could not be reached on the last run; the object stays Valid. */
  unavailable: string | undefined;
  lastReadAt: number | undefined;
  /** Epoch ms this replica last wrote into `status.lastReadTime`; its watch may not have delivered it yet. */
  reportedReadAt: number | undefined;
  evaluation: Evaluation | undefined;
  /** Epoch ms of the next evaluation for the status. */
  nextEvaluationAt: number;
}

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class MetricQueryRegistry {
  private readonly entries = new Map<string, MetricQueryEntry>();
  private customList: readonly CustomMetricInfo[] = [];
  private externalList: readonly ExternalMetricInfo[] = [];
  private listsStale = true;
  private readonly listeners = new Set<(entry: MetricQueryEntry) => void>();

  constructor(
    private readonly options: CompileOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called with every entry that was added or changed, for the status loop. */
  onChange(listener: (entry: MetricQueryEntry) => void): void {
    this.listeners.add(listener);
  }

  upsert(object: MetricQueryObject): void {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const existing = this.entries.get(key);
    // NB: a status write comes back as an update of the same generation and spec: nothing to recompile.
    if (
      existing !== undefined &&
      existing.object.metadata.generation === object.metadata.generation &&
      JSON.stringify(existing.object.spec) === JSON.stringify(object.spec)
    ) {
      existing.object = object;
      return;
    }
    const entry: MetricQueryEntry = existing ?? {
      key,
      object,
      compiled: undefined,
      invalid: undefined,
      rejected: undefined,
      unavailable: undefined,
      lastReadAt: undefined,
      reportedReadAt: undefined,
      evaluation: undefined,
      nextEvaluationAt: 0,
    };
    entry.object = object;
    entry.rejected = undefined;
    entry.evaluation = undefined;
    entry.nextEvaluationAt = this.now();
    this.compile(entry);
    this.entries.set(key, entry);
    this.listsStale = true;
    for (const listener of this.listeners) listener(entry);
  }

  remove(object: MetricQueryObject): void {
    if (this.entries.delete(keyOf(object.metadata.namespace, object.metadata.name))) this.listsStale = true;
  }

  /** Compiles every object again: the back ends they name may have changed (a config reload). */
  recompileAll(): void {
    for (const entry of this.entries.values()) {
      const before = entry.invalid?.message;
      this.compile(entry);
      if (entry.invalid?.message !== before) for (const listener of this.listeners) listener(entry);
    }
    this.listsStale = true;
  }

  get size(): number {
    return this.entries.size;
  }

  all(): IterableIterator<MetricQueryEntry> {
    return this.entries.values();
  }

  get(namespace: string, name: string): MetricQueryEntry | undefined {
    return this.entries.get(keyOf(namespace, name));
  }

  /** The valid object serving external metric `metric` in `namespace`. */
  external(namespace: string, metric: string): MetricQueryEntry | undefined {
    const entry = this.entries.get(keyOf(namespace, metric));
    return entry?.compiled?.api === 'external' ? entry : undefined;
  }

  /** The valid object serving custom metric `info` in `namespace`. */
  custom(namespace: string, info: CustomMetricInfo): MetricQueryEntry | undefined {
    const entry = this.entries.get(keyOf(namespace, info.metric));
    const compiled = entry?.compiled;
    if (compiled?.api !== 'custom' || !info.namespaced) return undefined;
    return groupResourceString(compiled.info.groupResource) === groupResourceString(info.groupResource)
      ? entry
      : undefined;
  }

  /** Any object, valid or not, named `metric` in `namespace`, for an error that says why it serves nothing. */
  named(namespace: string, metric: string): MetricQueryEntry | undefined {
    return this.entries.get(keyOf(namespace, metric));
  }

  listCustom(): readonly CustomMetricInfo[] {
    this.rebuildLists();
    return this.customList;
  }

  listExternal(): readonly ExternalMetricInfo[] {
    this.rebuildLists();
    return this.externalList;
  }

  /** The namespaces where an object serves `metric`. */
  namespacesOf(api: 'custom' | 'external', metric: string): string[] {
    const out = new Set<string>();
    for (const entry of this.entries.values()) {
      if (entry.compiled?.api === api && entry.compiled.info.metric === metric)
        out.add(entry.object.metadata.namespace);
    }
    return [...out];
  }

  private compile(entry: MetricQueryEntry): void {
    try {
      entry.compiled = compileMetricQuery(entry.object, this.options);
      entry.invalid = undefined;
    } catch (error) {
      if (!(error instanceof MetricQueryInvalid)) throw error;
      entry.compiled = undefined;
      entry.invalid = { reason: error.reason, message: error.message };
    }
  }

  private rebuildLists(): void {
    if (!this.listsStale) return;
    this.listsStale = false;
    const custom = new Map<string, CustomMetricInfo>();
    const external = new Map<string, ExternalMetricInfo>();
    for (const { compiled } of this.entries.values()) {
      if (compiled?.api === 'custom')
        custom.set(`${groupResourceString(compiled.info.groupResource)}\u0000${compiled.info.metric}`, compiled.info);
      else if (compiled?.api === 'external') external.set(compiled.info.metric, compiled.info);
    }
    const customList = [...custom.values()];
    const externalList = [...external.values()];
    if (!sameInfos(customList, this.customList, (i) => `${groupResourceString(i.groupResource)}\u0000${i.metric}`))
      this.customList = customList;
    if (!sameInfos(externalList, this.externalList, (i) => i.metric)) this.externalList = externalList;
  }
}

function sameInfos<T>(a: readonly T[], b: readonly T[], key: (info: T) => string): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(b.map(key));
  return a.every((info) => keys.has(key(info)));
}
