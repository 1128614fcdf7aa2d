/**
 * What discovery found: for each API metric, the Prometheus series and the rule that serve it, and the lists that
 * feed the discovery documents (prometheus-adapter series_registry.go, external_series_registry.go). The lists keep
 * their identity while their content does not change, so the server's cached discovery bytes stay valid.
 * @module
 */
import { groupResourceString } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { CustomMetricInfo, ExternalMetricInfo, GroupResource } from '../provider.js';
import { isClusterScoped, type CompiledRule } from './rules/index.js';

export interface SeriesEntry {
  /** The Prometheus series name (`__name__`) that `.Series` renders as. */
  readonly seriesName: string;
  readonly rule: CompiledRule;
}

/** The series one rule's seriesQuery returned. */
export interface RuleSeries {
  readonly rule: CompiledRule;
  readonly series: readonly Labels[];
}

export class SeriesRegistry {
  private custom = new Map<string, SeriesEntry>();
  private external = new Map<string, SeriesEntry>();
  private customList: readonly CustomMetricInfo[] = Object.freeze([]);
  private externalList: readonly ExternalMetricInfo[] = Object.freeze([]);
  private customSignature = '';
  private externalSignature = '';
  /** Whether one discovery has completed; before that, an unknown metric may still appear. */
  listed = false;

  constructor(private readonly mapper: ResourceMapper) {}

  /** Replaces what is known. NB: like the peer, a later series that gives the same metric wins. */
  set(custom: readonly RuleSeries[], external: readonly RuleSeries[]): void {
    const customEntries = new Map<string, SeriesEntry>();
    const infos = new Map<string, CustomMetricInfo>();
    for (const { rule, series } of custom) {
      for (const labels of series) {
        const seriesName = labels.__name__;
        if (seriesName === undefined || !rule.accepts(seriesName)) continue;
        const metric = rule.metricName(seriesName);
        if (metric === undefined || metric === '') continue;
        for (const resource of rule.resources.resourcesForLabels(Object.keys(labels))) {
          const key = customKey(resource, metric);
          customEntries.set(key, { seriesName, rule });
          infos.set(key, { groupResource: resource, namespaced: !isClusterScoped(resource, this.mapper), metric });
        }
      }
    }
    const externalEntries = new Map<string, SeriesEntry>();
    for (const { rule, series } of external) {
      for (const labels of series) {
        const seriesName = labels.__name__;
        if (seriesName === undefined || !rule.accepts(seriesName)) continue;
        const metric = rule.metricName(seriesName);
        if (metric !== undefined && metric !== '') externalEntries.set(metric, { seriesName, rule });
      }
    }
    this.custom = customEntries;
    this.external = externalEntries;
    const customSignature = [...infos.keys()].sort().join('\n');
    if (customSignature !== this.customSignature) {
      this.customSignature = customSignature;
      this.customList = Object.freeze([...infos.values()]);
    }
    const externalSignature = [...externalEntries.keys()].sort().join('\n');
    if (externalSignature !== this.externalSignature) {
      this.externalSignature = externalSignature;
      this.externalList = Object.freeze([...externalEntries.keys()].sort().map((metric) => ({ metric })));
    }
    this.listed = true;
  }

  findCustom(resource: GroupResource, metric: string): SeriesEntry | undefined {
    return this.custom.get(customKey(resource, metric));
  }

  findExternal(metric: string): SeriesEntry | undefined {
    return this.external.get(metric);
  }

  listAllMetrics(): readonly CustomMetricInfo[] {
    return this.customList;
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    return this.externalList;
  }

  get seriesCount(): { readonly custom: number; readonly external: number } {
    return { custom: this.custom.size, external: this.external.size };
  }
}

function customKey(resource: GroupResource, metric: string): string {
  return `${groupResourceString(resource)}\u0000${metric}`;
}
