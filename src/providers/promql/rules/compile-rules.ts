/**
 * Turns checked rules into namers (prometheus-adapter pkg/naming/metric_namer.go `NamersFromConfig`): which series
 * a rule takes, what it calls them, which resources their labels name, and the query for a request. Any PromQL-speaking
 * back end (Prometheus, Sysdig) compiles its rules with this.
 * @module
 */
import type { ResourceMapper } from '../../../kube/resource-mapper.js';
import type { GroupResource } from '../../provider.js';
import { captureGroupCount, compileGoRegexp, expandGo } from './go-regexp.js';
import { createMetricsQuery, type MetricsQuery } from './metrics-query.js';
import { createResourceConverter, type ResourceConverter } from './resource-converter.js';
import type { DiscoveryRule } from './rules-schema.js';

export interface CompiledRule {
  /** `rules[2]` or `externalRules[0]`: how logs and `config check` name it. */
  readonly id: string;
  readonly seriesQuery: string;
  /** Whether the rule takes a series of this name (seriesFilters, then name.matches). */
  accepts(seriesName: string): boolean;
  /** The metric's name in the API, or undefined when `name.matches` does not match. */
  metricName(seriesName: string): string | undefined;
  readonly resources: ResourceConverter;
  readonly query: MetricsQuery;
}

interface NameFilter {
  readonly regexp: RegExp;
  readonly positive: boolean;
}

/** Compiles rules already checked by `discoveryRuleSchema`. */
export function compileRules(
  rules: readonly DiscoveryRule[],
  mapper: ResourceMapper,
  section: 'rules' | 'externalRules',
): CompiledRule[] {
  return rules.map((rule, index) => compileRule(rule, mapper, `${section}[${index}]`, section === 'externalRules'));
}

function compileRule(rule: DiscoveryRule, mapper: ResourceMapper, id: string, external: boolean): CompiledRule {
  const resources = createResourceConverter(rule.resources ?? {}, mapper);
  const namespaced = external ? (rule.resources?.namespaced ?? true) : true;
  const query = createMetricsQuery(rule.metricsQuery, resources, namespaced);
  const filters: NameFilter[] = (rule.seriesFilters ?? []).map((filter) =>
    filter.is !== undefined
      ? { regexp: compileGoRegexp(filter.is), positive: true }
      : { regexp: compileGoRegexp(filter.isNot!), positive: false },
  );
  const matches = rule.name?.matches ? compileGoRegexp(rule.name.matches) : /.*/;
  // NB: a `name.matches` is also a filter, as in the peer.
  if (rule.name?.matches) filters.push({ regexp: matches, positive: true });
  let as = rule.name?.as ?? '';
  if (as === '') as = captureGroupCount(matches) === 0 ? '$0' : '$1';
  return {
    id,
    seriesQuery: rule.seriesQuery,
    accepts: (seriesName) => filters.every((filter) => filter.regexp.test(seriesName) === filter.positive),
    metricName(seriesName) {
      const match = matches.exec(seriesName);
      return match === null ? undefined : expandGo(as, match);
    },
    resources,
    query,
  };
}

const clusterScoped = new Set(['namespaces', 'nodes', 'persistentvolumes']);

/** NB: the peer lists namespace, node and persistent volume metrics as not namespaced (series_registry.go). */
export function isClusterScoped(resource: GroupResource, mapper: ResourceMapper): boolean {
  return (
    (resource.group === '' && clusterScoped.has(resource.resource)) || mapper.kindFor(resource).namespaced === false
  );
}
