/**
 * For `explain`: the MetricQuery object behind a metric, if the HPA's namespace has one of that name, with its
 * status, so "why no value?" is answered where the HPA is explained.
 * @module
 */
import { metricQueryPath, type MetricQueryObject } from '../metric-queries/metric-query.js';
import type { MetricsFetcher } from './types.js';

export interface MetricQuerySummary {
  /** `namespace/name`. */
  readonly object: string;
  readonly backend: string;
  readonly servedAs: string;
  readonly query: string;
  /** `True`, `False: InvalidQuery: parse error ...`, or `Unknown: ...`. */
  readonly valid: string;
  readonly active: string;
  readonly currentValue?: string;
  readonly lastUpdated?: string;
  /** The status describes an older spec: the adapter has not caught up yet. */
  readonly stale: boolean;
}

/** undefined when there is no such object, or the server is not an API server with the CRD. */
export async function lookUpMetricQuery(
  fetcher: MetricsFetcher,
  namespace: string,
  name: string,
): Promise<MetricQuerySummary | undefined> {
  let object: MetricQueryObject & { spec?: Record<string, unknown> };
  try {
    const res = await fetcher.get(metricQueryPath(namespace, name));
    if (res.status !== 200) return undefined;
    object = JSON.parse(res.body) as typeof object;
  } catch {
    return undefined;
  }
  if (object.kind !== 'MetricQuery') return undefined;
  const spec = object.spec ?? {};
  const status = object.status ?? {};
  const conditionText = (type: string): string => {
    const c = status.conditions?.find((x) => x.type === type);
    if (c === undefined) return 'Unknown: the adapter has written no status (is it running with --metric-queries?)';
    return c.status === 'True' ? `True (${c.message})` : `${c.status}: ${c.reason}: ${c.message}`;
  };
  return {
    object: `${namespace}/${name}`,
    backend: String(spec.backend ?? ''),
    servedAs: String(spec.servedAs ?? 'External'),
    query: String(spec.query ?? ''),
    valid: conditionText('Valid'),
    active: conditionText('Active'),
    ...(status.currentValue !== undefined ? { currentValue: status.currentValue } : {}),
    ...(status.lastUpdated !== undefined ? { lastUpdated: status.lastUpdated } : {}),
    stale: (status.observedGeneration ?? 0) < (object.metadata.generation ?? 0),
  };
}
