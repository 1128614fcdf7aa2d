/**
 * A rule's `metricsQuery` template and the arguments it renders with, as in prometheus-adapter
 * pkg/naming/metrics_query.go: `.Series`, `.LabelMatchers` (metric selector, namespace, then the object label),
 * `.LabelValuesByName`, `.GroupBy`, `.GroupBySlice`.
 * @module
 */
import type { Selector } from '../../../selector/index.js';
import type { GroupResource } from '../../provider.js';
import { parseGoTemplate, TemplateError, type GoTemplate, type TemplateFields } from './go-template.js';
import { addSelectorMatchers, labelEq, labelMatches, prometheusLabelName, type MatcherSet } from './label-matchers.js';
import type { ResourceConverter } from './resource-converter.js';

export const metricsQueryFields: TemplateFields = {
  Series: 'string',
  LabelMatchers: 'string',
  LabelValuesByName: 'map',
  GroupBy: 'string',
  GroupBySlice: 'slice',
};

const namespaces: GroupResource = { group: '', resource: 'namespaces' };

export interface CustomQueryRequest {
  /** The Prometheus series name. */
  readonly series: string;
  readonly resource: GroupResource;
  /** '' for cluster-scoped objects: no namespace matcher. */
  readonly namespace: string;
  readonly metricSelector: Selector;
  /** The objects asked for; undefined for every object that has a value (`pod=~".+"`). */
  readonly names?: readonly string[];
  /** Matched against the series' own labels when no cluster lists the objects (see docs/prometheus.md). */
  readonly objectSelector?: Selector;
  /** Labels grouped by after the object label, such as a resource rule's `containerLabel` (the peer's extraGroupBy). */
  readonly extraGroupBy?: readonly string[];
}

export interface ExternalQueryRequest {
  readonly series: string;
  readonly namespace: string;
  readonly metricSelector: Selector;
}

export interface MetricsQuery {
  readonly template: GoTemplate;
  /** The query, and the label whose values name the objects in its result. */
  buildCustom(request: CustomQueryRequest): { readonly query: string; readonly objectLabel: string };
  /** The label of the namespace matcher (`namespace` unless the rule maps another). */
  readonly namespaceLabel: () => string;
  buildExternal(request: ExternalQueryRequest): string;
}

/**
 * Compiles `source`; throws TemplateError for a template that cannot render a query. `namespaced: false` (an
 * external rule's `resources.namespaced`) leaves the request's namespace out of external queries.
 */
export function createMetricsQuery(source: string, converter: ResourceConverter, namespaced: boolean): MetricsQuery {
  const template = parseGoTemplate(source, metricsQueryFields);
  if (template.fields.length === 0 && template.execute({}).trim() === '')
    throw new TemplateError('the template renders an empty query');
  // NB: a rule that maps no label to namespaces gets `namespace`, the label the peer's docs assume; the peer
  // itself fails every namespaced request of such a rule.
  const namespaceLabel = (): string => converter.labelForResource(namespaces) ?? 'namespace';

  return {
    template,
    namespaceLabel,
    buildCustom(request) {
      const set: MatcherSet = { exprs: [], valuesByName: {} };
      addSelectorMatchers(set, request.metricSelector);
      if (request.objectSelector !== undefined) addSelectorMatchers(set, request.objectSelector, prometheusLabelName);
      if (request.namespace !== '') {
        const label = namespaceLabel();
        set.exprs.push(labelEq(label, request.namespace));
        set.valuesByName[label] = request.namespace;
      }
      const objectLabel = converter.labelForResource(request.resource);
      if (objectLabel === undefined) throw new Error(`the rule maps no label to ${request.resource.resource}`);
      const names = request.names;
      const value = names === undefined ? '.+' : names.join('|');
      set.exprs.push(
        names !== undefined && names.length === 1 ? labelEq(objectLabel, value) : labelMatches(objectLabel, value),
      );
      set.valuesByName[objectLabel] = value;
      const groupBy = [objectLabel, ...(request.extraGroupBy ?? [])];
      const query = template.execute({
        Series: request.series,
        LabelMatchers: set.exprs.join(','),
        LabelValuesByName: set.valuesByName,
        GroupBy: groupBy.join(','),
        GroupBySlice: groupBy,
      });
      return { query, objectLabel };
    },
    buildExternal(request) {
      const set: MatcherSet = { exprs: [], valuesByName: {} };
      addSelectorMatchers(set, request.metricSelector);
      if (namespaced && request.namespace !== '') {
        const label = namespaceLabel();
        set.exprs.push(labelEq(label, request.namespace));
        set.valuesByName[label] = request.namespace;
      }
      // NB: external queries have an empty GroupBy, as in the peer's QueryForExternalSeries.
      return template.execute({
        Series: request.series,
        LabelMatchers: set.exprs.join(','),
        LabelValuesByName: set.valuesByName,
        GroupBy: '',
        GroupBySlice: [],
      });
    },
  };
}
