/**
 * The data every back end serves during the conformance suite. A back end's test puts it where the back end reads
 * (writes for memory and Redis, series in a fake Prometheus, entities in a fake Sysdig, values in an upstream
 * adapter, functions), and the cases then check the back end answers it as the provider contract says.
 * @module
 */
import type { Labels } from '../../api/types.js';
import type { CustomMetricInfo, NamespacedName } from '../provider.js';

export const namespace = 'conformance';
/** A second namespace, whose values must never leak into answers for `namespace`. */
export const otherNamespace = 'conformance-other';

/** One object's value of a custom metric. */
export interface FixtureObject {
  readonly info: CustomMetricInfo;
  /** `namespace` is '' for cluster-scoped objects. */
  readonly name: NamespacedName;
  /** The value as a float, for upstreams that hold floats. */
  readonly number: number;
  /** The same value as the canonical Quantity a back end must answer. */
  readonly value: string;
  /** The object's labels: what a labelSelector matches. */
  readonly objectLabels: Labels;
  /** The metric's labels: what a metricSelector (v1beta2 metricLabelSelector) matches. */
  readonly metricLabels: Labels;
}

/** One external series. */
export interface FixtureSeries {
  readonly namespace: string;
  readonly metric: string;
  readonly labels: Labels;
  readonly number: number;
  readonly value: string;
}

export interface Fixture {
  readonly custom: readonly FixtureObject[];
  readonly external: readonly FixtureSeries[];
}

export const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'http_requests',
};
export const nodes: CustomMetricInfo = {
  groupResource: { group: '', resource: 'nodes' },
  namespaced: false,
  metric: 'temperature',
};
export const queue = 'queue';

const pod = (
  name: string,
  number: number,
  value: string,
  objectLabels: Labels,
  metricLabels: Labels,
  ns = namespace,
): FixtureObject => ({ info: pods, name: { namespace: ns, name }, number, value, objectLabels, metricLabels });
const node = (name: string, number: number, value: string, objectLabels: Labels): FixtureObject => ({
  info: nodes,
  name: { namespace: '', name },
  number,
  value,
  objectLabels,
  metricLabels: {},
});
const series = (ns: string, labels: Labels, number: number, value: string): FixtureSeries => ({
  namespace: ns,
  metric: queue,
  labels,
  number,
  value,
});

export const fixture: Fixture = {
  custom: [
    pod('web-1', 0.3, '300m', { app: 'web', tier: 'front' }, { method: 'GET' }),
    pod('web-2', 2, '2', { app: 'web' }, { method: 'POST' }),
    pod('db-1', 1.5, '1500m', { app: 'db', tier: 'back' }, { method: 'GET' }),
    pod('web-9', 7, '7', { app: 'web', tier: 'front' }, { method: 'GET' }, otherNamespace),
    node('node-1', 45, '45', { zone: 'a' }),
    node('node-2', 50.5, '50500m', { zone: 'b' }),
  ],
  external: [
    series(namespace, { q: 'a' }, 10, '10'),
    series(namespace, { q: 'b' }, 20.25, '20250m'),
    series(otherNamespace, { q: 'c' }, 30, '30'),
  ],
};
