/**
 * Several back ends behind one server: each request goes to the back end its metric routes to,
 * discovery merges their lists, writes go to the routed back end's writer, and freshness rules apply on
 * the way out. The table is swapped whole on reload, so a request sees the old config or the new one,
 * never a mix.
 * @module
 */
import { badRequest, groupResourceString, metricNotFound, externalMetricNotFound, StatusError } from '../api/errors.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Backend } from '../providers/backend.js';
import type { BackendHealth, Readiness } from '../providers/health.js';
import {
  writeBatch,
  type CustomMetricWrite,
  type ExternalMetricWrite,
  type MetricsWriter,
  type SeriesRemoval,
  type WriteBatch,
} from '../providers/write.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  MetricValue,
  NamespacedName,
  QueryContext,
} from '../providers/provider.js';
import { toLabelSelector, type Selector } from '../selector/index.js';
import { FreshnessKeeper } from './freshness.js';
import type { MetricsApiKind } from './metric-matcher.js';
import type { RoutedBackend, RoutingTable } from './routing-table.js';

export class RoutingBackend implements Backend {
  readonly custom: CustomMetricsProvider;
  readonly external: ExternalMetricsProvider;
  readonly writer: MetricsWriter | undefined;
  private readonly freshness: FreshnessKeeper;
  private mergedCustom: { parts: readonly (readonly CustomMetricInfo[])[]; list: readonly CustomMetricInfo[] } = {
    parts: [],
    list: [],
  };
  private mergedExternal: { parts: readonly (readonly ExternalMetricInfo[])[]; list: readonly ExternalMetricInfo[] } = {
    parts: [],
    list: [],
  };

  constructor(
    private table: RoutingTable,
    private readonly mapper: ResourceMapper,
    options: { readonly acceptsWrites: boolean; readonly now?: () => number },
  ) {
    const now = options.now ?? Date.now;
    this.freshness = new FreshnessKeeper(now);
    this.custom = {
      getMetricByName: (name, info, metricSelector, ctx) => this.getMetricByName(name, info, metricSelector, ctx, now),
      getMetricBySelector: (namespace, selector, info, metricSelector, ctx) =>
        this.getMetricBySelector(namespace, selector, info, metricSelector, ctx),
      listAllMetrics: () => this.listAllMetrics(),
      listMetricNamespaces: (info) =>
        this.table.resolve('custom', info.metric, 'read')?.backend.custom?.listMetricNamespaces?.(info) ?? ['default'],
    };
    this.external = {
      getExternalMetric: (namespace, metricSelector, info, ctx) =>
        this.getExternalMetric(namespace, metricSelector, info, ctx, now),
      listAllExternalMetrics: () => this.listAllExternalMetrics(),
      listExternalMetricNamespaces: (info) =>
        this.table.resolve('external', info.metric, 'read')?.backend.external?.listExternalMetricNamespaces?.(info) ?? [
          'default',
        ],
    };
    this.writer = options.acceptsWrites
      ? {
          writeCustomMetric: (write) => this.writeCustom(write),
          writeExternalMetric: (write) => this.writeExternal(write),
          writeBatch: (batch) => this.writeBatch(batch),
          removeSeries: (removals) => this.removeSeries(removals),
        }
      : undefined;
  }

  get current(): RoutingTable {
    return this.table;
  }

  /** Serves `next` from the next request on; returns the back ends `next` no longer uses, for the caller to close. */
  swap(next: RoutingTable): RoutedBackend[] {
    const kept = new Set(next.backends.map((b) => b.backend));
    const retired = this.table.backends.filter((b) => !kept.has(b.backend));
    this.table = next;
    return retired;
  }

  health(): BackendHealth[] {
    return this.table.backends.map(({ name, kind, backend }) => {
      const readiness = backend.readiness();
      return {
        name,
        kind,
        ready: readiness.ready,
        ...(readiness.message !== undefined ? { message: readiness.message } : {}),
        customMetrics: backend.custom?.listAllMetrics().length ?? 0,
        externalMetrics: backend.external?.listAllExternalMetrics().length ?? 0,
      };
    });
  }

  /**
   * NB: ready while routing works: a back end that is down fails only its own metrics (503), so it must not take the
   * whole server out of its Service.
   */
  readiness(): Readiness {
    const down = this.health().filter((h) => !h.ready);
    return down.length === 0
      ? { ready: true }
      : { ready: true, message: `not ready: ${down.map((h) => `${h.name} (${h.message ?? 'not ready'})`).join('; ')}` };
  }

  seriesCount(): { custom: number; external: number } {
    let custom = 0;
    let external = 0;
    for (const { backend } of this.table.backends) {
      const counts = backend.seriesCount?.();
      custom += counts?.custom ?? 0;
      external += counts?.external ?? 0;
    }
    return { custom, external };
  }

  selfMetrics(): string {
    const up = this.health().map(
      (h) => `metrics_adapter_backend_up{backend="${h.name}",kind="${h.kind}"} ${h.ready ? 1 : 0}`,
    );
    return (
      [
        '# HELP metrics_adapter_backend_up Whether a back end of the routing config is ready (1) or not (0).',
        '# TYPE metrics_adapter_backend_up gauge',
        ...up,
        '',
      ].join('\n') + this.freshness.render()
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.table.backends.map((b) => b.backend.close()));
  }

  private route(api: MetricsApiKind, metric: string): RoutedBackend {
    const routed = this.table.resolve(api, metric, 'read');
    if (routed === undefined) throw new StatusError(404, 'NotFound', `no back end serves the ${api} metric ${metric}`);
    return routed;
  }

  private providerFor(info: CustomMetricInfo): CustomMetricsProvider {
    const routed = this.route('custom', info.metric);
    if (routed.backend.custom === undefined) throw metricNotFound(info.groupResource, info.metric);
    return routed.backend.custom;
  }

  private async getMetricByName(
    name: NamespacedName,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
    now: () => number,
  ): Promise<MetricValue> {
    const provider = this.providerFor(info);
    const rule = this.table.freshnessFor('custom', info.metric);
    if (rule === undefined) return provider.getMetricByName(name, info, metricSelector, ctx);
    const gr = groupResourceString(info.groupResource);
    const [value] = await this.freshness.answer(rule, {
      api: 'custom',
      metric: info.metric,
      key: `A\u0000${name.namespace}\u0000${gr}\u0000${name.name}\u0000${info.metric}\u0000${metricSelector.toString()}`,
      fetch: async () => [await provider.getMetricByName(name, info, metricSelector, ctx)],
      zero: () => {
        const kind = this.mapper.kindFor(info.groupResource);
        const describedObject =
          name.namespace === ''
            ? { kind: kind.kind, name: name.name, apiVersion: kind.apiVersion }
            : { kind: kind.kind, namespace: name.namespace, name: name.name, apiVersion: kind.apiVersion };
        return [
          {
            describedObject,
            metric: { name: info.metric, selector: toLabelSelector(metricSelector) },
            timestamp: now(),
            value: '0',
          },
        ];
      },
      stale: (ageMs) =>
        new StatusError(
          404,
          'NotFound',
          `the value of metric ${info.metric} for ${gr} ${name.name} is ${Math.round(ageMs / 1000)}s old, older than its maxAge of ${rule.maxAgeMs / 1000}s`,
        ),
    });
    return value!;
  }

  private getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<readonly MetricValue[]> {
    const provider = this.providerFor(info);
    const rule = this.table.freshnessFor('custom', info.metric);
    const fetch = async () => provider.getMetricBySelector(namespace, selector, info, metricSelector, ctx);
    if (rule === undefined) return fetch();
    return this.freshness.answer(rule, {
      api: 'custom',
      metric: info.metric,
      key: `B\u0000${namespace}\u0000${groupResourceString(info.groupResource)}\u0000${info.metric}\u0000${selector.toString()}\u0000${metricSelector.toString()}`,
      fetch,
      // NB: without a value there is no list of objects to give zeros to; the HPA treats missing pods itself (spec
      // §8.3).
      zero: () => undefined,
    });
  }

  private getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx: QueryContext,
    now: () => number,
  ): Promise<readonly ExternalMetricValue[]> {
    const routed = this.route('external', info.metric);
    const provider = routed.backend.external;
    if (provider === undefined) throw externalMetricNotFound(info.metric);
    const rule = this.table.freshnessFor('external', info.metric);
    const fetch = async () => provider.getExternalMetric(namespace, metricSelector, info, ctx);
    if (rule === undefined) return fetch();
    return this.freshness.answer(rule, {
      api: 'external',
      metric: info.metric,
      key: `X\u0000${namespace}\u0000${info.metric}\u0000${metricSelector.toString()}`,
      fetch,
      zero: () => [{ metricName: info.metric, metricLabels: {}, timestamp: now(), value: '0' }],
    });
  }

  private listAllMetrics(): readonly CustomMetricInfo[] {
    const parts = this.table.backends.map((b) => b.backend.custom?.listAllMetrics() ?? []);
    if (sameParts(parts, this.mergedCustom.parts)) return this.mergedCustom.list;
    const seen = new Map<string, CustomMetricInfo>();
    for (const info of parts.flat())
      seen.set(`${info.namespaced ? 1 : 0}\u0000${groupResourceString(info.groupResource)}\u0000${info.metric}`, info);
    this.mergedCustom = { parts, list: [...seen.values()] };
    return this.mergedCustom.list;
  }

  private listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    const parts = this.table.backends.map((b) => b.backend.external?.listAllExternalMetrics() ?? []);
    if (sameParts(parts, this.mergedExternal.parts)) return this.mergedExternal.list;
    const seen = new Map<string, ExternalMetricInfo>();
    for (const info of parts.flat()) seen.set(info.metric, info);
    this.mergedExternal = { parts, list: [...seen.values()] };
    return this.mergedExternal.list;
  }

  private writerFor(api: MetricsApiKind, metric: string): MetricsWriter {
    const routed = this.table.resolve(api, metric, 'write');
    if (routed?.backend.writer === undefined) {
      throw badRequest(
        routed === undefined
          ? `no back end accepts writes of the ${api} metric ${metric}`
          : `the ${api} metric ${metric} is served by back end ${routed.name} (${routed.kind}), which does not accept writes`,
      );
    }
    return routed.backend.writer;
  }

  /** A batch split by the back end each write routes to, each part stored in one go. */
  private async writeBatch(batch: WriteBatch): Promise<void> {
    const parts = new Map<MetricsWriter, { custom: CustomMetricWrite[]; external: ExternalMetricWrite[] }>();
    const partOf = (writer: MetricsWriter) => {
      let part = parts.get(writer);
      if (part === undefined) parts.set(writer, (part = { custom: [], external: [] }));
      return part;
    };
    for (const write of batch.custom) partOf(this.writerFor('custom', write.info.metric)).custom.push(write);
    for (const write of batch.external) partOf(this.writerFor('external', write.metric)).external.push(write);
    await Promise.all([...parts].map(([writer, part]) => writeBatch(writer, part)));
  }

  /** Removals go where the series' writes went; a back end without removal keeps them until its TTL. */
  private async removeSeries(removals: readonly SeriesRemoval[]): Promise<void> {
    const parts = new Map<MetricsWriter, SeriesRemoval[]>();
    for (const removal of removals) {
      const writer =
        removal.kind === 'custom'
          ? this.writerFor('custom', removal.info.metric)
          : this.writerFor('external', removal.metric);
      const part = parts.get(writer);
      if (part === undefined) parts.set(writer, [removal]);
      else part.push(removal);
    }
    await Promise.all([...parts].map(async ([writer, part]) => writer.removeSeries?.(part)));
  }

  private writeCustom(write: CustomMetricWrite): void | Promise<void> {
    return this.writerFor('custom', write.info.metric).writeCustomMetric(write);
  }

  private writeExternal(write: ExternalMetricWrite): void | Promise<void> {
    return this.writerFor('external', write.metric).writeExternalMetric(write);
  }
}

function sameParts<T>(a: readonly (readonly T[])[], b: readonly (readonly T[])[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}
