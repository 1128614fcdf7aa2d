/**
 * Turns a MetricQuery object into what serves it: the back end that runs it, the metric it appears as, and a
 * query builder that confines every query to the object's namespace. Anything wrong with the object is a
 * MetricQueryInvalid whose message goes into its `Valid` condition; nothing here throws anything else.
 * @module
 */
import { groupResourceString } from '../api/errors.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import { parseDuration } from '../duration/index.js';
import { parseGoTemplate, TemplateError } from '../providers/promql/rules/go-template.js';
import {
  addSelectorMatchers,
  labelEq,
  labelMatches,
  type MatcherSet,
} from '../providers/promql/rules/label-matchers.js';
import type { CustomMetricInfo, ExternalMetricInfo } from '../providers/provider.js';
import type { QueryRunner } from '../providers/query-runner.js';
import { everything, type Selector } from '../selector/index.js';
import { metricQuerySpecSchema, type MetricQueryObject, type MetricQuerySpec } from './metric-query.js';
import { scopePromQL } from './scope-promql.js';

/** Why an object cannot be served; `reason` is the Valid condition's CamelCase reason. */
export class MetricQueryInvalid extends Error {
  override readonly name = 'MetricQueryInvalid';
  constructor(
    readonly reason:
      | 'InvalidSpec'
      | 'BackendNotAllowed'
      | 'UnknownBackend'
      | 'UnsupportedBackend'
      | 'InvalidQuery'
      | 'UnknownResource',
    message: string,
  ) {
    super(message);
  }
}

/** The back end named `name`, with its kind; undefined when there is none. */
export type BackendLookup = (
  name: string,
) => { readonly kind: string; readonly queries?: QueryRunner | undefined } | undefined;

export interface CompileOptions {
  readonly backends: BackendLookup;
  /** Names objects may use; undefined: every back end. */
  readonly allowedBackends?: ReadonlySet<string>;
  readonly mapper: ResourceMapper;
}

interface Common {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  readonly spec: MetricQuerySpec;
  readonly backendName: string;
  readonly runner: QueryRunner;
  readonly maxAgeMs: number | undefined;
}

export interface CompiledExternal extends Common {
  readonly api: 'external';
  readonly info: ExternalMetricInfo;
  buildQuery(metricSelector: Selector): string;
}

export interface CompiledCustom extends Common {
  readonly api: 'custom';
  readonly info: CustomMetricInfo;
  readonly objectLabel: string;
  /** `names` undefined: every object with a value. */
  buildQuery(metricSelector: Selector, names: readonly string[] | undefined): string;
}

export type CompiledMetricQuery = CompiledExternal | CompiledCustom;

const templateFields = {
  LabelMatchers: 'string',
  LabelValuesByName: 'map',
  GroupBy: 'string',
  GroupBySlice: 'slice',
} as const;

/** Throws MetricQueryInvalid. */
export function compileMetricQuery(object: MetricQueryObject, options: CompileOptions): CompiledMetricQuery {
  const { namespace, name } = object.metadata;
  const parsed = metricQuerySpecSchema.safeParse(object.spec ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MetricQueryInvalid(
      'InvalidSpec',
      `spec${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message}`,
    );
  }
  const spec = parsed.data;
  if (options.allowedBackends !== undefined && !options.allowedBackends.has(spec.backend)) {
    const allowed = [...options.allowedBackends].join(', ');
    throw new MetricQueryInvalid(
      'BackendNotAllowed',
      `the adapter's config does not let MetricQuery objects use back end ${spec.backend}${allowed === '' ? '' : ` (allowed: ${allowed})`}`,
    );
  }
  const backend = options.backends(spec.backend);
  if (backend === undefined)
    throw new MetricQueryInvalid('UnknownBackend', `the adapter has no back end named ${spec.backend}`);
  if (backend.queries === undefined) {
    throw new MetricQueryInvalid(
      'UnsupportedBackend',
      `back end ${spec.backend} (${backend.kind}) cannot run MetricQuery queries; use a Prometheus or Sysdig back end`,
    );
  }
  const runner = backend.queries;
  let template;
  try {
    template = parseGoTemplate(spec.query, templateFields);
  } catch (error) {
    if (error instanceof TemplateError) throw new MetricQueryInvalid('InvalidQuery', `spec.query: ${error.message}`);
    throw error;
  }
  const scope = (query: string) => scopePromQL(query, runner.namespaceLabel, namespace);
  const common = {
    namespace,
    name,
    spec,
    backendName: spec.backend,
    runner,
    generation: object.metadata.generation ?? 0,
    maxAgeMs: spec.maxAge === undefined ? undefined : parseDuration(spec.maxAge),
  };
  const matchersOf = (metricSelector: Selector): MatcherSet => {
    const set: MatcherSet = { exprs: [], valuesByName: {} };
    addSelectorMatchers(set, metricSelector);
    set.exprs.push(labelEq(runner.namespaceLabel, namespace));
    set.valuesByName[runner.namespaceLabel] = namespace;
    return set;
  };
  let compiled: CompiledMetricQuery;
  if (spec.servedAs === 'External') {
    compiled = {
      ...common,
      api: 'external',
      info: { metric: name },
      buildQuery(metricSelector) {
        const set = matchersOf(metricSelector);
        return scope(
          template.execute({
            LabelMatchers: set.exprs.join(','),
            LabelValuesByName: set.valuesByName,
            GroupBy: '',
            GroupBySlice: [],
          }),
        );
      },
    };
  } else {
    if (spec.resource === undefined)
      throw new MetricQueryInvalid(
        'InvalidSpec',
        'spec.resource: a Custom MetricQuery names the resource its values describe, such as pods',
      );
    const groupResource = options.mapper.resourceFor(spec.resource);
    const kind = options.mapper.kindFor(groupResource);
    if (kind.namespaced === false) {
      throw new MetricQueryInvalid(
        'UnknownResource',
        `spec.resource: ${spec.resource} is not namespaced; a MetricQuery describes objects of its own namespace`,
      );
    }
    // NB: the series label naming an object is the singular by convention (kube-state-metrics, cAdvisor: pod,
    // deployment).
    const objectLabel = spec.objectLabel ?? kind.kind.toLowerCase();
    const info: CustomMetricInfo = { groupResource, namespaced: true, metric: name };
    compiled = {
      ...common,
      api: 'custom',
      info,
      objectLabel,
      buildQuery(metricSelector, names) {
        const set = matchersOf(metricSelector);
        const value = names === undefined ? '.+' : names.join('|');
        set.exprs.push(
          names !== undefined && names.length === 1 ? labelEq(objectLabel, value) : labelMatches(objectLabel, value),
        );
        set.valuesByName[objectLabel] = value;
        return scope(
          template.execute({
            LabelMatchers: set.exprs.join(','),
            LabelValuesByName: set.valuesByName,
            GroupBy: objectLabel,
            GroupBySlice: [objectLabel],
          }),
        );
      },
    };
  }
  try {
    // NB: rendered once now, so a query that cannot be scoped (a syntax error) is reported before any request.
    if (compiled.api === 'external') compiled.buildQuery(everything);
    else compiled.buildQuery(everything, undefined);
  } catch (error) {
    throw new MetricQueryInvalid('InvalidQuery', `spec.query: ${(error as Error).message}`);
  }
  return compiled;
}

export function describeTarget(compiled: CompiledMetricQuery): string {
  return compiled.api === 'external'
    ? `external metric ${compiled.info.metric}`
    : `custom metric ${compiled.info.metric} of ${groupResourceString(compiled.info.groupResource)}`;
}
