/**
 * Compiles the `ingest:` rules once at startup into matchers, namers and resource converters, and resolves what
 * one pushed series becomes under them: for each rule that takes it, a window (rate, value, mean or quantile) and
 * the objects or external series it feeds. Errors name the rule (`ingest.rules[2]`).
 * @module
 */
import { dns1123LabelProblem, dns1123SubdomainProblem, metricNameProblem } from '../api/names.js';
import type { Labels } from '../api/types.js';
import { parseDuration } from '../duration/index.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import {
  captureGroupCount,
  compileGoRegexp,
  createResourceConverter,
  expandGo,
  type ResourceConverter,
} from '../providers/promql/rules/index.js';
import type { GroupResource } from '../providers/provider.js';
import {
  defaultIngestRules,
  defaultMaxAgeMs,
  defaultResourceOverrides,
  defaultWindowMs,
  type IngestRule,
} from './ingest-config.js';
import { parseSeriesSelector, type SeriesMatcher } from './series-selector.js';
import { CounterWindow, GaugeWindow, HistogramWindow, type SeriesWindow } from './series-window.js';

export type SeriesKind = 'counter' | 'gauge' | 'histogram';

/** A pushed series as its sender describes it. */
export interface SeriesDescription {
  /** The metric name in Prometheus' form (OTLP names have `.` made `_`, and `_total` added to monotonic sums). */
  readonly name: string;
  /** Labels without `__name__` (OTLP: resource attributes, then the point's attributes). */
  readonly labels: Labels;
  /** What the sender says it is; undefined for remote-write, which does not say per series. */
  readonly kind?: SeriesKind;
  /** OTLP delta temporality: each sample is an increase, not a running total. */
  readonly delta?: boolean;
}

/** Where one rule's value of a series goes: a custom metric of an object, or an external series. */
export type TargetSpec =
  | {
      readonly kind: 'custom';
      readonly key: string;
      readonly groupResource: GroupResource;
      readonly namespace: string;
      readonly name: string;
      readonly metric: string;
      readonly labels: Labels;
    }
  | {
      readonly kind: 'external';
      readonly key: string;
      readonly namespace: string | null;
      readonly metric: string;
      readonly labels: Labels;
    };

/** One rule applied to one series. */
export interface RuleOutput {
  readonly rule: CompiledIngestRule;
  readonly window: SeriesWindow;
  readonly targets: readonly TargetSpec[];
}

export interface CompiledIngestRule {
  /** `ingest.rules[2]`, or `default ingest rules[0]`. */
  readonly id: string;
  readonly maxAgeMs: number;
  /** This rule's output for a series, or undefined when the rule does not take it or it names nothing it could feed. */
  resolve(series: SeriesDescription): RuleOutput | undefined;
}

/** Compiles rules checked by `ingestRuleSchema`; the defaults when `rules` is undefined. */
export function compileIngestRules(
  rules: readonly IngestRule[] | undefined,
  mapper: ResourceMapper,
): CompiledIngestRule[] {
  const prefix = rules === undefined ? 'default ingest rules' : 'ingest.rules';
  return (rules ?? defaultIngestRules).map((rule, index) => {
    const id = `${prefix}[${index}]`;
    try {
      return compileRule(rule, mapper, id);
    } catch (error) {
      throw new Error(`${id}: ${(error as Error).message}`, { cause: error });
    }
  });
}

function compileRule(rule: IngestRule, mapper: ResourceMapper, id: string): CompiledIngestRule {
  const matches: SeriesMatcher = parseSeriesSelector(rule.seriesQuery);
  const resources = createResourceConverter(rule.resources ?? { overrides: defaultResourceOverrides }, mapper);
  const nameRegexp = rule.name?.matches ? compileGoRegexp(rule.name.matches) : /.*/;
  let as = rule.name?.as ?? '';
  if (as === '') as = captureGroupCount(nameRegexp) === 0 ? '$0' : '$1';
  const windowMs = rule.window === undefined ? defaultWindowMs : parseDuration(rule.window);
  const maxAgeMs = rule.maxAge === undefined ? defaultMaxAgeMs : parseDuration(rule.maxAge);
  const compiled: CompiledIngestRule = {
    id,
    maxAgeMs,
    resolve(series) {
      if (!matches(series.name, series.labels)) return undefined;
      const kind = rule.type ?? series.kind ?? (series.name.endsWith('_total') ? 'counter' : 'gauge');
      // NB: a histogram has no single number to read as a counter or gauge, and a number has no buckets.
      if ((kind === 'histogram') !== (series.kind === 'histogram')) return undefined;
      const match = nameRegexp.exec(series.name);
      if (match === null) return undefined;
      const metric = expandGo(as, match);
      if (metricNameProblem(metric) !== undefined) return undefined;
      const targets =
        rule.external === true
          ? [externalTarget(series.labels, metric, resources)]
          : customTargets(series.labels, metric, resources, mapper);
      if (targets.length === 0) return undefined;
      const window: SeriesWindow =
        kind === 'counter'
          ? new CounterWindow(windowMs, series.delta === true)
          : kind === 'histogram'
            ? new HistogramWindow(windowMs, rule.quantile, series.delta === true)
            : new GaugeWindow();
      return { rule: compiled, window, targets };
    },
  };
  return compiled;
}

/** The labels of a series that name resources, each resource once (the first label naming it wins). */
function resourceLabels(
  labels: Labels,
  resources: ResourceConverter,
): Map<string, { readonly resource: GroupResource; readonly label: string }> {
  const found = new Map<string, { readonly resource: GroupResource; readonly label: string }>();
  for (const label of Object.keys(labels)) {
    // NB: per label, because several labels may name one resource (`namespace` and `k8s.namespace.name`).
    const resource = resources.resourcesForLabels([label])[0];
    if (resource === undefined) continue;
    const key = `${resource.group}/${resource.resource}`;
    if (!found.has(key)) found.set(key, { resource, label });
  }
  return found;
}

const namespacesKey = '/namespaces';

function externalTarget(labels: Labels, metric: string, resources: ResourceConverter): TargetSpec {
  const namespaceLabel = resourceLabels(labels, resources).get(namespacesKey)?.label;
  const namespace = namespaceLabel === undefined ? undefined : labels[namespaceLabel];
  const own: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) if (key !== namespaceLabel) own[key] = labels[key]!;
  const scope = namespace === undefined || dns1123LabelProblem(namespace) !== undefined ? null : namespace;
  return {
    kind: 'external',
    key: `e\u0000${scope ?? ''}\u0000${metric}\u0000${labelsKey(own)}`,
    namespace: scope,
    metric,
    labels: own,
  };
}

/** One target per object the labels name; the namespace label names the namespace and scopes the others. */
function customTargets(
  labels: Labels,
  metric: string,
  resources: ResourceConverter,
  mapper: ResourceMapper,
): TargetSpec[] {
  const found = resourceLabels(labels, resources);
  if (found.size === 0) return [];
  const usedLabels = new Set([...found.values()].map((entry) => entry.label));
  const metricLabels: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) if (!usedLabels.has(key)) metricLabels[key] = labels[key]!;
  const namespaceLabel = found.get(namespacesKey)?.label;
  const namespace = namespaceLabel === undefined ? undefined : labels[namespaceLabel];
  const validNamespace =
    namespace !== undefined && namespace !== '' && dns1123LabelProblem(namespace) === undefined ? namespace : undefined;
  const targets: TargetSpec[] = [];
  for (const [key, { resource: groupResource, label }] of found) {
    const name = labels[label] ?? '';
    let scope = '';
    if (key === namespacesKey) {
      if (validNamespace === undefined) continue;
    } else {
      if (name === '' || dns1123SubdomainProblem(name) !== undefined) continue;
      if (mapper.kindFor(groupResource).namespaced !== false) {
        if (validNamespace === undefined) continue;
        scope = validNamespace;
      }
    }
    const objectName = key === namespacesKey ? validNamespace! : name;
    targets.push({
      kind: 'custom',
      key: `c\u0000${scope}\u0000${groupResource.group}\u0000${groupResource.resource}\u0000${objectName}\u0000${metric}`,
      groupResource,
      namespace: scope,
      name: objectName,
      metric,
      labels: metricLabels,
    });
  }
  return targets;
}

/** One string per label set, for keys. */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) key += `${name}\u0001${labels[name]}\u0002`;
  return key;
}
