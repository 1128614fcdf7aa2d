/**
 * The PromQL side of the fake Sysdig (test/helpers/fake-sysdig.ts): `/prometheus/api/v1/query` and
 * `/prometheus/api/v1/series` over the same entities as the Data API, evaluated by promql-eval.ts.
 *
 * Names follow Sysdig's PromQL mapping (Sysdig docs "Using PromQL" and its metric dictionary): a metric id
 * `net.http.request.count` is `sysdig_container_net_http_request_count`, a label `kubernetes.pod.name` is
 * `kube_pod_name`, other dots become underscores.
 * @module
 */
import type { FakeEntity } from './fake-sysdig.js';
import {
  answerQuery as answerPromQuery,
  answerSeries as answerPromSeries,
  PromqlBadData,
  type PromSeries,
} from './promql-eval.js';

export { PromqlBadData };

/** `net.http.request.count` → `sysdig_container_net_http_request_count`. */
export function promqlMetricName(id: string): string {
  return `sysdig_container_${id.replace(/\./g, '_')}`;
}

/** `kubernetes.pod.name` → `kube_pod_name`. */
export function promqlLabelName(label: string): string {
  return label.replace(/^kubernetes\./, 'kube.').replace(/[^A-Za-z0-9_]/g, '_');
}

function allSeries(entities: readonly FakeEntity[]): PromSeries[] {
  return entities.flatMap((entity) =>
    Object.entries(entity.values).map(([id, value]) => ({
      labels: {
        __name__: promqlMetricName(id),
        ...Object.fromEntries(Object.entries(entity.labels).map(([k, v]) => [promqlLabelName(k), v])),
      },
      value,
    })),
  );
}

/** `/api/v1/series?match[]=...`: the label sets of every series any selector matches. */
export function answerSeries(match: readonly string[], entities: readonly FakeEntity[]): unknown {
  return answerPromSeries(match, allSeries(entities));
}

/** `/api/v1/query?query=...`: an instant vector at now. */
export function answerQuery(query: string, entities: readonly FakeEntity[]): unknown {
  return answerPromQuery(query, allSeries(entities));
}
