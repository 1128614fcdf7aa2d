/**
 * A fake custom and external metrics provider for tests of code that reads the metrics APIs (an HPA controller, a
 * dashboard, an adapter's routing): values set by the test, answered with the contract's semantics (selectors,
 * namespaces, 404s), and every request recorded. The counterpart of CMAS `pkg/provider/fake`; it passes the same
 * conformance suite as the real back ends.
 * @module
 */
import { externalMetricNotFound, metricNotFound, metricNotFoundFor } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { toLabelSelector, type Selector } from '../../selector/index.js';
import { toQuantityText, type QuantityInput } from '../function/metric-value.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  GroupResource,
  MetricValue,
} from '../provider.js';

/** One object's value of a custom metric. */
export interface FakeCustomValue {
  /** The resource as a path names it: `pods`, `deployments.apps`, `nodes`. */
  readonly resource: string;
  /** The object's namespace; omitted or '' for cluster-scoped objects (nodes, namespaces). */
  readonly namespace?: string;
  readonly name: string;
  readonly metric: string;
  /** A number (`0.25` is `250m`), a quantity string (`'1.5Gi'`) or a Quantity. */
  readonly value: QuantityInput;
  /** The object's labels, which a labelSelector matches. */
  readonly labels?: Labels;
  /** The metric's labels, which a metricSelector (v1beta2 metricLabelSelector) matches. */
  readonly metricLabels?: Labels;
  /** Milliseconds since the epoch; default: the time of each read, so the value never looks stale. */
  readonly timestamp?: number;
  readonly windowSeconds?: number;
}

/** One external series. */
export interface FakeExternalValue {
  readonly metric: string;
  /** The namespace the series is visible in; omitted: every namespace. */
  readonly namespace?: string;
  /** The series' labels, which the request's labelSelector matches. */
  readonly labels?: Labels;
  readonly value: QuantityInput;
  readonly timestamp?: number;
  readonly windowSeconds?: number;
}

/** A request a provider answered (or failed), as the caller made it. */
export interface FakeRequest {
  readonly api: 'custom' | 'external';
  readonly metric: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  /** The resource, as `resource.group` (`pods`, `deployments.apps`); undefined for external metrics. */
  readonly resource?: string;
  /** The object's name, or `*` for a labelSelector query. */
  readonly name?: string;
  /** The selectors in Go's text form, '' for none. */
  readonly labelSelector?: string;
  readonly metricSelector: string;
}

export interface FakeProviderOptions {
  readonly custom?: readonly FakeCustomValue[];
  readonly external?: readonly FakeExternalValue[];
  /** Resolves resource names and kinds; default the built-in table of Kubernetes resources. */
  readonly resourceMapper?: ResourceMapper;
}

export interface FakeProvider {
  readonly custom: CustomMetricsProvider;
  readonly external: ExternalMetricsProvider;
  /**
   * Sets a value, replacing the one of the same object and metric. Throws a TypeError for a missing field, an
   * InvalidQuantityError for a value that is no quantity.
   */
  setCustom(value: FakeCustomValue): void;
  /** Sets a series, replacing the one of the same metric, namespace and labels. Throws as `setCustom`. */
  setExternal(value: FakeExternalValue): void;
  /** Forgets every value and series of `metric`, which then answers 404. */
  remove(metric: string): void;
  /** Makes every read throw `error` (such as `serviceUnavailable('...')`, an outage) until called with undefined. */
  failWith(error: Error | undefined): void;
  /** Every read so far, oldest first. */
  readonly requests: readonly FakeRequest[];
}

interface StoredCustom {
  readonly gr: GroupResource;
  readonly namespace: string;
  readonly input: FakeCustomValue;
  readonly value: string;
}

interface StoredExternal {
  readonly namespace: string | undefined;
  readonly labels: Labels;
  readonly input: FakeExternalValue;
  readonly value: string;
}

const grText = (gr: GroupResource): string => (gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`);
const sameLabels = (a: Labels, b: Labels): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.keys(a).every((k) => a[k] === b[k]);

export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const mapper = options.resourceMapper ?? createStaticResourceMapper();
  let customValues: StoredCustom[] = [];
  let externalValues: StoredExternal[] = [];
  let customList: readonly CustomMetricInfo[] | undefined;
  let externalList: readonly ExternalMetricInfo[] | undefined;
  let failure: Error | undefined;
  const requests: FakeRequest[] = [];

  /** NB: the HPA asks for cluster-scoped objects through the namespaced form too, so their namespace is ignored. */
  const scopeOf = (gr: GroupResource, namespace: string): string =>
    mapper.kindFor(gr).namespaced === false ? '' : namespace;
  const read = (request: FakeRequest): void => {
    requests.push(request);
    if (failure !== undefined) throw failure;
  };
  const toMetricValue = (stored: StoredCustom, metricSelector: Selector): MetricValue => {
    const kind = mapper.kindFor(stored.gr);
    const { input } = stored;
    return {
      describedObject: {
        kind: kind.kind,
        ...(stored.namespace === '' ? {} : { namespace: stored.namespace }),
        name: input.name,
        apiVersion: kind.apiVersion,
      },
      metric: { name: input.metric, selector: toLabelSelector(metricSelector) },
      timestamp: input.timestamp ?? Date.now(),
      ...(input.windowSeconds !== undefined ? { windowSeconds: input.windowSeconds } : {}),
      value: stored.value,
    };
  };
  const required = (what: string, text: unknown): void => {
    if (typeof text !== 'string' || text === '')
      throw new TypeError(`createFakeProvider: ${what} must be a non-empty string, got ${JSON.stringify(text)}`);
  };

  const custom: CustomMetricsProvider = {
    getMetricByName(name, info, metricSelector) {
      read({
        api: 'custom',
        metric: info.metric,
        namespace: name.namespace,
        resource: grText(info.groupResource),
        name: name.name,
        metricSelector: metricSelector.toString(),
      });
      const namespace = scopeOf(info.groupResource, name.namespace);
      const found = customValues.find(
        (v) =>
          grText(v.gr) === grText(info.groupResource) &&
          v.input.metric === info.metric &&
          v.namespace === namespace &&
          v.input.name === name.name &&
          metricSelector.matches(v.input.metricLabels ?? {}),
      );
      if (found === undefined) throw metricNotFoundFor(info.groupResource, info.metric, name.name);
      return toMetricValue(found, metricSelector);
    },
    getMetricBySelector(namespace, selector, info, metricSelector) {
      read({
        api: 'custom',
        metric: info.metric,
        namespace,
        resource: grText(info.groupResource),
        name: '*',
        labelSelector: selector.toString(),
        metricSelector: metricSelector.toString(),
      });
      const ofMetric = customValues.filter(
        (v) => grText(v.gr) === grText(info.groupResource) && v.input.metric === info.metric,
      );
      if (ofMetric.length === 0) throw metricNotFound(info.groupResource, info.metric);
      const scope = scopeOf(info.groupResource, namespace);
      return ofMetric
        .filter(
          (v) =>
            v.namespace === scope &&
            selector.matches(v.input.labels ?? {}) &&
            metricSelector.matches(v.input.metricLabels ?? {}),
        )
        .map((v) => toMetricValue(v, metricSelector));
    },
    listAllMetrics() {
      customList ??= [
        ...new Map(
          customValues.map((v): [string, CustomMetricInfo] => [
            `${grText(v.gr)}/${v.input.metric}`,
            {
              groupResource: v.gr,
              namespaced: mapper.kindFor(v.gr).namespaced ?? v.namespace !== '',
              metric: v.input.metric,
            },
          ]),
        ).values(),
      ];
      return customList;
    },
  };

  const external: ExternalMetricsProvider = {
    getExternalMetric(namespace, metricSelector, info) {
      read({ api: 'external', metric: info.metric, namespace, metricSelector: metricSelector.toString() });
      const ofMetric = externalValues.filter((s) => s.input.metric === info.metric);
      if (ofMetric.length === 0) throw externalMetricNotFound(info.metric);
      return ofMetric
        .filter((s) => (s.namespace === undefined || s.namespace === namespace) && metricSelector.matches(s.labels))
        .map(
          (s): ExternalMetricValue => ({
            metricName: info.metric,
            metricLabels: s.labels,
            timestamp: s.input.timestamp ?? Date.now(),
            ...(s.input.windowSeconds !== undefined ? { windowSeconds: s.input.windowSeconds } : {}),
            value: s.value,
          }),
        );
    },
    listAllExternalMetrics() {
      externalList ??= [...new Set(externalValues.map((s) => s.input.metric))].sort().map((metric) => ({ metric }));
      return externalList;
    },
  };

  const fake: FakeProvider = {
    custom,
    external,
    setCustom(input) {
      required('resource', input.resource);
      required('name', input.name);
      required('metric', input.metric);
      const gr = mapper.resourceFor(input.resource);
      const stored: StoredCustom = {
        gr,
        namespace: scopeOf(gr, input.namespace ?? ''),
        input: { ...input },
        value: toQuantityText(input.value),
      };
      if (!customValues.some((v) => grText(v.gr) === grText(gr) && v.input.metric === input.metric))
        customList = undefined;
      customValues = customValues.filter(
        (v) =>
          !(
            grText(v.gr) === grText(gr) &&
            v.namespace === stored.namespace &&
            v.input.name === input.name &&
            v.input.metric === input.metric
          ),
      );
      customValues.push(stored);
    },
    setExternal(input) {
      required('metric', input.metric);
      const labels = { ...input.labels };
      const stored: StoredExternal = {
        namespace: input.namespace,
        labels,
        input: { ...input },
        value: toQuantityText(input.value),
      };
      if (!externalValues.some((s) => s.input.metric === input.metric)) externalList = undefined;
      externalValues = externalValues.filter(
        (s) => !(s.input.metric === input.metric && s.namespace === input.namespace && sameLabels(s.labels, labels)),
      );
      externalValues.push(stored);
    },
    remove(metric) {
      customValues = customValues.filter((v) => v.input.metric !== metric);
      externalValues = externalValues.filter((s) => s.input.metric !== metric);
      customList = undefined;
      externalList = undefined;
    },
    failWith(error) {
      failure = error;
    },
    requests,
  };
  for (const value of options.custom ?? []) fake.setCustom(value);
  for (const value of options.external ?? []) fake.setExternal(value);
  return fake;
}
