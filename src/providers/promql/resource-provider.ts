/**
 * The resource metrics API (`metrics.k8s.io`) from prometheus-adapter's `resourceRules`: per request one CPU and
 * one memory query, grouped by the object label (and, for pods, the rule's `containerLabel`), as the peer's
 * pkg/resourceprovider does. Values are truncated to milli-units as the peer's `NewMilliQuantity(int64(v*1000))`
 * does, CPU in DecimalSI and memory in BinarySI; NaN and negative samples count as 0.
 * @module
 */
import { serviceUnavailable, StatusError } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import type { ListedObject, ObjectLister } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import { Quantity } from '../../quantity/index.js';
import { everything, type Selector } from '../../selector/index.js';
import type {
  ContainerUsage,
  GroupResource,
  NamespacedName,
  NodeUsage,
  PodUsage,
  QueryContext,
  ResourceMetricsProvider,
} from '../provider.js';
import type { PrometheusClient, Sample } from './client/index.js';
import {
  createMetricsQuery,
  createResourceConverter,
  parsePrometheusDuration,
  type MetricsQuery,
  type ResourceRules,
} from './rules/index.js';

const pods: GroupResource = { group: '', resource: 'pods' };
const nodes: GroupResource = { group: '', resource: 'nodes' };

interface CompiledResourceRule {
  readonly containerQuery: MetricsQuery;
  readonly nodeQuery: MetricsQuery;
  readonly containerLabel: string;
}

export interface PrometheusResourceProviderOptions {
  readonly client: PrometheusClient;
  readonly rules: ResourceRules;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  readonly objects?: ObjectLister;
}

/** Compiles one resource's rule; throws naming it (`resourceRules.cpu: ...`). */
function compileResourceRule(rule: ResourceRules['cpu'], mapper: ResourceMapper, name: string): CompiledResourceRule {
  try {
    const converter = createResourceConverter(rule.resources ?? {}, mapper);
    return {
      containerQuery: createMetricsQuery(rule.containerQuery, converter, true),
      nodeQuery: createMetricsQuery(rule.nodeQuery, converter, true),
      containerLabel: rule.containerLabel,
    };
  } catch (error) {
    throw new Error(`resourceRules.${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** NB: the peer stores `NewMilliQuantity(int64(value*1000.0), format)` after replacing NaN and negatives by 0. */
function milliQuantity(value: number, format: 'DecimalSI' | 'BinarySI'): string {
  const milli = Number.isNaN(value) || value < 0 ? 0 : Math.min(Math.trunc(value * 1000), Number.MAX_SAFE_INTEGER);
  return Quantity.fromMilli(BigInt(milli), format).toString();
}

type Resource = 'cpu' | 'memory';
const formats: Readonly<Record<Resource, 'DecimalSI' | 'BinarySI'>> = { cpu: 'DecimalSI', memory: 'BinarySI' };

export class PrometheusResourceProvider implements ResourceMetricsProvider {
  private readonly rules: Readonly<Record<Resource, CompiledResourceRule>>;
  private readonly windowMs: number;

  constructor(private readonly options: PrometheusResourceProviderOptions) {
    this.rules = {
      cpu: compileResourceRule(options.rules.cpu, options.mapper, 'cpu'),
      memory: compileResourceRule(options.rules.memory, options.mapper, 'memory'),
    };
    // NB: the peer reports its `window` as is, zero when the config has none.
    this.windowMs = options.rules.window === undefined ? 0 : (parsePrometheusDuration(options.rules.window) ?? 0);
  }

  async getNodeMetrics(selector: Selector, ctx: QueryContext): Promise<readonly NodeUsage[]> {
    const listed = await this.options.objects?.listObjects?.(nodes, '', selector, ctx.signal);
    if (listed !== undefined && listed.length === 0) return [];
    return this.nodeUsage(listed, selector, undefined, ctx);
  }

  async getNodeMetricsByName(name: string, ctx: QueryContext): Promise<NodeUsage | undefined> {
    const listed = await this.options.objects?.listObjects?.(nodes, '', everything, ctx.signal);
    const found = listed?.filter((object) => object.name === name);
    if (found !== undefined && found.length === 0) return undefined;
    return (await this.nodeUsage(found, everything, [name], ctx))[0];
  }

  async getPodMetrics(namespace: string, selector: Selector, ctx: QueryContext): Promise<readonly PodUsage[]> {
    const listed = await this.options.objects?.listObjects?.(
      pods,
      namespace === '' ? null : namespace,
      selector,
      ctx.signal,
    );
    if (listed !== undefined && listed.length === 0) return [];
    return this.podUsage(namespace, listed, selector, undefined, ctx);
  }

  async getPodMetricsByName(name: NamespacedName, ctx: QueryContext): Promise<PodUsage | undefined> {
    const listed = await this.options.objects?.listObjects?.(pods, name.namespace, everything, ctx.signal);
    const found = listed?.filter((object) => object.name === name.name);
    if (found !== undefined && found.length === 0) return undefined;
    return (await this.podUsage(name.namespace, found, everything, [name.name], ctx))[0];
  }

  /**
   * NB: with a cluster the queries name no object (a `node=~"a|b|..."` of every listed name grows past URL limits,
   * prometheus-adapter#668); the result is intersected with the listed objects instead. Without one, `selector`
   * is matched against the series' own labels, as for custom metrics.
   */
  private async nodeUsage(
    listed: readonly ListedObject[] | undefined,
    selector: Selector,
    names: readonly string[] | undefined,
    ctx: QueryContext,
  ): Promise<NodeUsage[]> {
    const objectSelector = listed === undefined && !selector.isEmpty() ? selector : undefined;
    const [cpu, memory] = await Promise.all(
      (['cpu', 'memory'] as const).map(async (resource) => {
        const { query, objectLabel } = this.rules[resource].nodeQuery.buildCustom({
          series: '',
          resource: nodes,
          namespace: '',
          metricSelector: everything,
          ...(names !== undefined ? { names } : {}),
          ...(objectSelector !== undefined ? { objectSelector } : {}),
        });
        return byLabel(await this.run(query, resource, ctx), objectLabel);
      }),
    );
    const labelsOf = listed === undefined ? undefined : new Map(listed.map((object) => [object.name, object.labels]));
    const found: NodeUsage[] = [];
    for (const [name, cpuSamples] of cpu!) {
      const memorySamples = memory!.get(name);
      // NB: the peer skips a node missing either resource.
      if (memorySamples === undefined) continue;
      const labels = labelsOf === undefined ? {} : labelsOf.get(name);
      if (labels === undefined) continue;
      const cpuSample = cpuSamples[0]!;
      const memorySample = memorySamples[0]!;
      found.push({
        name,
        labels,
        timestamp: Math.min(cpuSample.timestamp, memorySample.timestamp),
        windowMs: this.windowMs,
        usage: {
          cpu: milliQuantity(cpuSample.value, 'DecimalSI'),
          memory: milliQuantity(memorySample.value, 'BinarySI'),
        },
      });
    }
    return found;
  }

  /**
   * NB: the peer queries one namespace at a time, grouped by pod and container. For every namespace at once this
   * sends one query grouped by the namespace label too, so that pods of the same name stay apart.
   */
  private async podUsage(
    namespace: string,
    listed: readonly ListedObject[] | undefined,
    selector: Selector,
    names: readonly string[] | undefined,
    ctx: QueryContext,
  ): Promise<PodUsage[]> {
    const objectSelector = listed === undefined && !selector.isEmpty() ? selector : undefined;
    const results = await Promise.all(
      (['cpu', 'memory'] as const).map(async (resource) => {
        const rule = this.rules[resource];
        const namespaceLabel = rule.containerQuery.namespaceLabel();
        const { query, objectLabel } = rule.containerQuery.buildCustom({
          series: '',
          resource: pods,
          namespace,
          metricSelector: everything,
          extraGroupBy: namespace === '' ? [rule.containerLabel, namespaceLabel] : [rule.containerLabel],
          ...(names !== undefined ? { names } : {}),
          ...(objectSelector !== undefined ? { objectSelector } : {}),
        });
        const samples = await this.run(query, resource, ctx);
        const keyed = new Map<string, Sample[]>();
        for (const sample of samples) {
          const name = sample.labels[objectLabel];
          if (name === undefined || name === '') continue;
          const key = `${namespace === '' ? (sample.labels[namespaceLabel] ?? '') : namespace}/${name}`;
          let list = keyed.get(key);
          if (list === undefined) keyed.set(key, (list = []));
          list.push(sample);
        }
        return { keyed, containerLabel: rule.containerLabel };
      }),
    );
    const [cpu, memory] = results as [(typeof results)[0], (typeof results)[0]];
    const labelsOf =
      listed === undefined
        ? undefined
        : new Map(listed.map((object) => [`${object.namespace}/${object.name}`, object.labels]));
    const found: PodUsage[] = [];
    for (const [key, cpuSamples] of cpu.keyed) {
      const memorySamples = memory.keyed.get(key);
      // NB: the peer skips a pod missing either resource.
      if (memorySamples === undefined) continue;
      let labels: Labels | undefined = {};
      if (labelsOf !== undefined) labels = labelsOf.get(key);
      if (labels === undefined) continue;
      const slash = key.indexOf('/');
      const podNamespace = key.slice(0, slash);
      if (podNamespace === '') continue;
      found.push(
        this.pod(
          podNamespace,
          key.slice(slash + 1),
          labels,
          cpuSamples,
          cpu.containerLabel,
          memorySamples,
          memory.containerLabel,
        ),
      );
    }
    return found;
  }

  private pod(
    namespace: string,
    name: string,
    labels: Labels,
    cpuSamples: readonly Sample[],
    cpuLabel: string,
    memorySamples: readonly Sample[],
    memoryLabel: string,
  ): PodUsage {
    const containers = new Map<string, { cpu?: string; memory?: string }>();
    let timestamp = Number.POSITIVE_INFINITY;
    const add = (samples: readonly Sample[], label: string, resource: Resource) => {
      for (const sample of samples) {
        const container = sample.labels[label] ?? '';
        let usage = containers.get(container);
        if (usage === undefined) containers.set(container, (usage = {}));
        usage[resource] = milliQuantity(sample.value, formats[resource]);
        // NB: the earliest sample dates the pod, as the peer does, to be conservative about startup.
        if (sample.timestamp < timestamp) timestamp = sample.timestamp;
      }
    };
    add(cpuSamples, cpuLabel, 'cpu');
    add(memorySamples, memoryLabel, 'memory');
    const list: ContainerUsage[] = [...containers]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([container, usage]) => ({
        name: container,
        usage: { cpu: usage.cpu ?? '0', memory: usage.memory ?? '0' },
      }));
    return { namespace, name, labels, timestamp, windowMs: this.windowMs, containers: list };
  }

  private async run(query: string, resource: Resource, ctx: QueryContext): Promise<readonly Sample[]> {
    this.options.logger.debug({ rule: `resourceRules.${resource}`, query }, 'querying Prometheus');
    let result;
    try {
      result = await this.options.client.query(query, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof StatusError) throw error;
      throw serviceUnavailable(`unable to fetch ${resource} metrics`, error);
    }
    if (result.resultType === 'vector') return result.samples;
    throw new StatusError(
      500,
      'InternalError',
      `the query of resourceRules.${resource} gave a ${result.resultType}; it must give an instant vector`,
    );
  }
}

function byLabel(samples: readonly Sample[], label: string): Map<string, Sample[]> {
  const grouped = new Map<string, Sample[]>();
  for (const sample of samples) {
    const name = sample.labels[label];
    if (name === undefined || name === '') continue;
    let list = grouped.get(name);
    if (list === undefined) grouped.set(name, (list = []));
    list.push(sample);
  }
  return grouped;
}
