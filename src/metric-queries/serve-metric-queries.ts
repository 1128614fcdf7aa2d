/**
 * Puts MetricQuery objects in front of the configured back end(s): a request for a metric in a namespace
 * where an object of that name serves it goes to the object's query, everything else to the back end as
 * before, and discovery lists both. An object answers only in its own namespace: the lookup is by the
 * request's namespace, and the query carries that namespace's matcher on every selector.
 * @module
 */
import { externalMetricNotFound, metricNotFoundFor, StatusError } from '../api/errors.js';
import type { ObjectLister } from '../kube/object-lister.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Backend } from '../providers/backend.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  MetricValue,
  QueryContext,
} from '../providers/provider.js';
import { parseQuantity, Quantity } from '../quantity/index.js';
import { FreshnessKeeper } from '../routing/freshness.js';
import type { FreshnessRule } from '../routing/routing-config.js';
import { everything, toLabelSelector, type Selector } from '../selector/index.js';
import type { CompiledCustom, CompiledExternal } from './compile-metric-query.js';
import type { MetricQueryEntry, MetricQueryRegistry } from './metric-query-registry.js';

export interface ServeMetricQueriesOptions {
  readonly registry: MetricQueryRegistry;
  readonly mapper: ResourceMapper;
  readonly objectLister?: ObjectLister;
  readonly now?: () => number;
}

/**
 * Runs an object's query for every object (Custom) or series (External) and sums it up as an HPA would see it:
 * an external metric's series added up, a custom metric averaged over its objects.
 */
export async function evaluate(
  entry: MetricQueryEntry,
  ctx: QueryContext,
  mapper: ResourceMapper,
): Promise<{ value: string | undefined; series: number }> {
  const compiled = entry.compiled!;
  const values =
    compiled.api === 'external'
      ? (await runExternal(compiled, everything, ctx)).map((v) => v.value)
      : (await runCustom(compiled, everything, undefined, ctx, mapper)).map((v) => v.value);
  if (values.length === 0) return { value: undefined, series: 0 };
  let sum = new Quantity(0n);
  for (const value of values) sum = sum.add(parseQuantity(value));
  if (compiled.api === 'external') return { value: sum.toString(), series: values.length };
  return { value: Quantity.fromMilli(sum.milliValue() / BigInt(values.length)).toString(), series: values.length };
}

export function withMetricQueries(inner: Backend, options: ServeMetricQueriesOptions): Backend {
  const { registry, mapper } = options;
  const now = options.now ?? Date.now;
  const freshness = new FreshnessKeeper(now);
  let mergedCustom = { parts: [] as readonly (readonly CustomMetricInfo[])[], list: [] as readonly CustomMetricInfo[] };
  let mergedExternal = {
    parts: [] as readonly (readonly ExternalMetricInfo[])[],
    list: [] as readonly ExternalMetricInfo[],
  };

  const served = (entry: MetricQueryEntry): void => {
    entry.lastReadAt = now();
  };
  const outcome = (entry: MetricQueryEntry, error: unknown): never => {
    // NB: a query the back end refuses is the object's mistake: its status says so at the next write.
    if (error instanceof StatusError && error.code === 400) entry.rejected = error.message;
    throw error;
  };
  const ruleOf = (entry: MetricQueryEntry): FreshnessRule | undefined => {
    const { spec, maxAgeMs } = entry.compiled!;
    if (maxAgeMs === undefined && spec.onMissing === 'Error') return undefined;
    return {
      matches: () => true,
      maxAgeMs: maxAgeMs ?? Number.MAX_SAFE_INTEGER,
      onMissing: spec.onMissing === 'Zero' ? 'zero' : spec.onMissing === 'Last' ? 'last' : 'error',
    };
  };

  const custom: CustomMetricsProvider = {
    async getMetricByName(name, info, metricSelector, ctx) {
      const entry = registry.custom(name.namespace, info);
      if (entry === undefined) {
        if (inner.custom === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
        return inner.custom.getMetricByName(name, info, metricSelector, ctx);
      }
      served(entry);
      const compiled = entry.compiled as CompiledCustom;
      const [value] = await freshness.answer(ruleOf(entry), {
        api: 'custom',
        metric: info.metric,
        key: `A\u0000${entry.key}\u0000${name.name}\u0000${metricSelector.toString()}`,
        fetch: async () => {
          const values = await runCustom(compiled, metricSelector, [name.name], ctx, mapper).catch((error: unknown) =>
            outcome(entry, error),
          );
          return values.filter((v) => v.describedObject.name === name.name);
        },
        zero: () => [valueOfQuery(compiled, name.name, metricSelector, now(), '0', mapper)],
        stale: (ageMs) =>
          new StatusError(
            404,
            'NotFound',
            `the value of metric ${info.metric} for ${name.name} is ${Math.round(ageMs / 1000)}s old, older than the maxAge of MetricQuery ${entry.key}`,
          ),
      });
      if (value === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
      return value;
    },
    async getMetricBySelector(namespace, selector, info, metricSelector, ctx) {
      const entry = registry.custom(namespace, info);
      if (entry === undefined) {
        if (inner.custom === undefined) throw metricNotFoundFor(info.groupResource, info.metric, '*');
        return inner.custom.getMetricBySelector(namespace, selector, info, metricSelector, ctx);
      }
      served(entry);
      const compiled = entry.compiled as CompiledCustom;
      let names: string[] | undefined;
      if (!selector.isEmpty() || options.objectLister !== undefined) {
        const objects = await options.objectLister?.matching(info.groupResource, namespace, selector, ctx.signal);
        if (objects !== undefined) names = [...objects];
      }
      if (names !== undefined && names.length === 0) return [];
      return freshness.answer(ruleOf(entry), {
        api: 'custom',
        metric: info.metric,
        key: `B\u0000${entry.key}\u0000${selector.toString()}\u0000${metricSelector.toString()}`,
        fetch: () =>
          runCustom(compiled, metricSelector, names, ctx, mapper).catch((error: unknown) => outcome(entry, error)),
        zero: () => undefined,
      });
    },
    listAllMetrics() {
      const parts = [inner.custom?.listAllMetrics() ?? [], registry.listCustom()];
      if (parts.length === mergedCustom.parts.length && parts.every((p, i) => p === mergedCustom.parts[i]))
        return mergedCustom.list;
      const seen = new Map<string, CustomMetricInfo>();
      for (const info of parts.flat())
        seen.set(
          `${info.namespaced ? 1 : 0}\u0000${info.groupResource.group}\u0000${info.groupResource.resource}\u0000${info.metric}`,
          info,
        );
      mergedCustom = { parts, list: [...seen.values()] };
      return mergedCustom.list;
    },
    listMetricNamespaces(info) {
      const own = registry.namespacesOf('custom', info.metric);
      return own.length > 0 ? own : (inner.custom?.listMetricNamespaces?.(info) ?? ['default']);
    },
  };

  const external: ExternalMetricsProvider = {
    async getExternalMetric(namespace, metricSelector, info, ctx) {
      const entry = registry.external(namespace, info.metric);
      if (entry === undefined) {
        if (inner.external === undefined) throw externalMetricNotFound(info.metric);
        return inner.external.getExternalMetric(namespace, metricSelector, info, ctx);
      }
      served(entry);
      const compiled = entry.compiled as CompiledExternal;
      return freshness.answer(ruleOf(entry), {
        api: 'external',
        metric: info.metric,
        key: `X\u0000${entry.key}\u0000${metricSelector.toString()}`,
        fetch: () => runExternal(compiled, metricSelector, ctx).catch((error: unknown) => outcome(entry, error)),
        zero: () => [{ metricName: info.metric, metricLabels: {}, timestamp: now(), value: '0' }],
      });
    },
    listAllExternalMetrics() {
      const parts = [inner.external?.listAllExternalMetrics() ?? [], registry.listExternal()];
      if (parts.length === mergedExternal.parts.length && parts.every((p, i) => p === mergedExternal.parts[i]))
        return mergedExternal.list;
      const seen = new Map<string, ExternalMetricInfo>();
      for (const info of parts.flat()) seen.set(info.metric, info);
      mergedExternal = { parts, list: [...seen.values()] };
      return mergedExternal.list;
    },
    listExternalMetricNamespaces(info) {
      const own = registry.namespacesOf('external', info.metric);
      return own.length > 0 ? own : (inner.external?.listExternalMetricNamespaces?.(info) ?? ['default']);
    },
  };

  return {
    ...inner,
    custom,
    external,
    selfMetrics: () => `${inner.selfMetrics?.() ?? ''}${freshness.render()}`,
    // NB: a method of `inner` may read `this`; spreading loses it, so these stay bound.
    readiness: () => inner.readiness(),
    close: () => inner.close(),
    ...(inner.seriesCount ? { seriesCount: () => inner.seriesCount!() } : {}),
    ...(inner.health ? { health: () => inner.health!() } : {}),
  };
}

function quantityOf(value: number): string | undefined {
  return Number.isFinite(value) ? Quantity.fromNumber(value).toString() : undefined;
}

async function runExternal(
  compiled: CompiledExternal,
  metricSelector: Selector,
  ctx: QueryContext,
): Promise<ExternalMetricValue[]> {
  const samples = await compiled.runner.instant(compiled.buildQuery(metricSelector), ctx);
  const values: ExternalMetricValue[] = [];
  for (const sample of samples) {
    const value = quantityOf(sample.value);
    if (value !== undefined)
      values.push({
        metricName: compiled.info.metric,
        metricLabels: sample.labels,
        timestamp: sample.timestamp,
        value,
      });
  }
  return values;
}

async function runCustom(
  compiled: CompiledCustom,
  metricSelector: Selector,
  names: readonly string[] | undefined,
  ctx: QueryContext,
  mapper: ResourceMapper,
): Promise<MetricValue[]> {
  const samples = await compiled.runner.instant(compiled.buildQuery(metricSelector, names), ctx);
  const values: MetricValue[] = [];
  const wanted = names === undefined ? undefined : new Set(names);
  for (const sample of samples) {
    const name = sample.labels[compiled.objectLabel];
    const value = quantityOf(sample.value);
    if (name === undefined || value === undefined || (wanted !== undefined && !wanted.has(name))) continue;
    values.push(valueOfQuery(compiled, name, metricSelector, sample.timestamp, value, mapper));
  }
  return values;
}

function valueOfQuery(
  compiled: CompiledCustom,
  name: string,
  metricSelector: Selector,
  timestamp: number,
  value: string,
  mapper: ResourceMapper,
): MetricValue {
  const kind = mapper.kindFor(compiled.info.groupResource);
  return {
    describedObject: { kind: kind.kind, namespace: compiled.namespace, name, apiVersion: kind.apiVersion },
    metric: { name: compiled.info.metric, selector: toLabelSelector(metricSelector) },
    timestamp,
    value,
  };
}
