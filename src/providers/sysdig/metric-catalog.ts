/**
 * Which metrics the Sysdig back end lists and answers: Sysdig's metric descriptors (read on an interval and
 * kept in memory, since discovery must not wait on the network) plus the config file's `metrics`, or only
 * the config file's list when `discovery: config`. A descriptor applies to a resource when its `namespaces`
 * hold the resource's Sysdig entity (`kubernetes.service` for services).
 * @module
 */
import type { Logger } from '../../log/index.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { CustomMetricInfo, ExternalMetricInfo, GroupResource } from '../provider.js';
import type { SysdigMetricConfig } from './config.js';
import { entityFor, scopedResources } from './scope.js';
import { SysdigAuthError, type MetricDescriptor, type SysdigClient } from './sysdig-client.js';

export interface MetricCatalogOptions {
  readonly client: SysdigClient;
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  readonly configured: readonly SysdigMetricConfig[];
  readonly useDescriptors: boolean;
}

/** Keeps the previous array while the content is the same, so the server's discovery cache stays warm. */
function stable<T>(previous: readonly T[], next: readonly T[]): readonly T[] {
  return JSON.stringify(previous) === JSON.stringify(next) ? previous : next;
}

/** NB: `segmentBy` and `none` descriptors are labels (kubernetes.pod.name), not values an HPA can target. */
function isValueMetric(descriptor: MetricDescriptor): boolean {
  return descriptor.metricType !== 'segmentBy' && descriptor.metricType !== 'none';
}

export class MetricCatalog {
  private custom: readonly CustomMetricInfo[] = [];
  private external: readonly ExternalMetricInfo[] = [];
  /** metric id → the Sysdig entities it applies to; undefined until descriptors were read once. */
  private applies: Map<string, ReadonlySet<string>> | undefined;
  private readonly configuredByName: ReadonlyMap<string, SysdigMetricConfig>;
  private lastError: string | undefined;

  constructor(private readonly options: MetricCatalogOptions) {
    this.configuredByName = new Map(options.configured.map((m) => [m.name, m]));
    if (!options.useDescriptors) this.rebuild([]);
  }

  /** The config file's entry for `metric`, if any. */
  settingsFor(metric: string): SysdigMetricConfig | undefined {
    return this.configuredByName.get(metric);
  }

  /**
   * Whether `metric` may be asked of Sysdig for `gr` (undefined gr: as an external metric). Before the first
   * descriptor listing succeeds every metric may, so an outage of discovery alone never hides data.
   */
  serves(metric: string, gr: GroupResource | undefined): boolean {
    const entry = this.configuredByName.get(metric);
    if (entry !== undefined) {
      if (gr === undefined) return entry.external ?? true;
      return entry.resources === undefined
        ? entityFor(gr) !== undefined
        : entry.resources.some((r) => sameResource(this.options.mapper, r, gr));
    }
    if (!this.options.useDescriptors) return false;
    if (this.applies === undefined) return true;
    const entities = this.applies.get(metric);
    if (entities === undefined) return false;
    if (gr === undefined) return true;
    const entity = entityFor(gr);
    return entity !== undefined && entities.has(entity.entity);
  }

  listCustom(): readonly CustomMetricInfo[] {
    return this.custom;
  }

  listExternal(): readonly ExternalMetricInfo[] {
    return this.external;
  }

  /** Why discovery failed last, or undefined. */
  error(): string | undefined {
    return this.lastError;
  }

  /** Reads the descriptors again; never throws. The token check at start rides on this call. */
  async refresh(): Promise<void> {
    try {
      const descriptors = await this.options.client.descriptors();
      const applies = new Map<string, ReadonlySet<string>>();
      for (const d of descriptors) if (isValueMetric(d)) applies.set(d.id, new Set(d.namespaces ?? []));
      if (this.options.useDescriptors) {
        this.applies = applies;
        this.rebuild(descriptors.filter(isValueMetric));
      }
      if (this.lastError !== undefined)
        this.options.logger.info('the Sysdig API answers again; metric descriptors read');
      this.lastError = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (this.lastError !== message) {
        // NB: one line per change of cause, so a bad token is one clear line at start, not one per interval.
        const what =
          error instanceof SysdigAuthError
            ? 'Sysdig rejected the API token'
            : 'cannot read metric descriptors from Sysdig';
        this.options.logger.error({ err: message }, `${what}: ${message}`);
      }
      this.lastError = message;
    }
  }

  private rebuild(descriptors: readonly MetricDescriptor[]): void {
    const custom: CustomMetricInfo[] = [];
    const external = new Set<string>();
    const add = (metric: string, resources: readonly string[]) => {
      for (const text of resources) {
        const groupResource = this.options.mapper.resourceFor(text);
        const entity = entityFor(groupResource);
        custom.push({ groupResource, namespaced: entity?.namespaced ?? true, metric });
      }
    };
    for (const entry of this.options.configured) {
      add(entry.name, entry.resources ?? scopedResources);
      if (entry.external ?? true) external.add(entry.name);
    }
    for (const d of descriptors) {
      if (this.configuredByName.has(d.id)) continue;
      const namespaces = new Set(d.namespaces ?? []);
      add(
        d.id,
        scopedResources.filter((r) => namespaces.has(entityFor(this.options.mapper.resourceFor(r))!.entity)),
      );
      external.add(d.id);
    }
    this.custom = stable(this.custom, custom);
    this.external = stable(
      this.external,
      [...external].map((metric) => ({ metric })),
    );
  }
}

function sameResource(mapper: ResourceMapper, text: string, gr: GroupResource): boolean {
  const other = mapper.resourceFor(text);
  return other.group === gr.group && other.resource === gr.resource;
}
