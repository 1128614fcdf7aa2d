/**
 * The explainer: fetch every metric of an HPA the way the HPA controller would, through a
 * {@link MetricsFetcher} (HTTPS for the CLI, in-process for the status page), and run the replica
 * calculation on what came back. Failures read like the HPA's ScalingActive=False condition.
 * @module
 */
import type { CustomMetricsVersion, Labels } from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import { parseQuantity, type Quantity } from '../quantity/index.js';
import { parseSelector } from '../selector/index.js';
import type { HorizontalPodAutoscaler, HpaMetricSpec, HpaMetricTarget } from './hpa-schema.js';
import { encodeQuery, escapeSegment, queryFor, type MetricQuery } from './metric-queries.js';
import { lookUpMetricQuery, type MetricQuerySummary } from './metric-query-lookup.js';
import { parseDuration } from '../duration/index.js';
import { calculateReplicas } from './replica-calculator.js';
import type {
  MetricInput,
  MetricResult,
  MetricsFetcher,
  MetricType,
  ObjectTarget,
  PodInfo,
  ReplicaDecision,
  ReplicaInputs,
  ResourceSample,
  ResourceTarget,
  TargetScale,
} from './types.js';

export type { MetricsFetcher };

export interface ExplainOptions {
  readonly resourceMapper: ResourceMapper;
  /** `scale.spec.replicas`; else the manifest's `status.currentReplicas`. */
  readonly currentReplicas?: number;
  /** `scale.status.selector` of the target, sent as `labelSelector` of Pods metrics. */
  readonly podSelector?: string;
  /** Else `metadata.namespace`, else `default`. */
  readonly namespace?: string;
  readonly history?: Pick<ReplicaInputs, 'recommendations' | 'scaleEvents' | 'now'>;
  /**
   * What was read from the cluster: the target's scale (currentReplicas, statusReplicas and, unless
   * `podSelector` is given, the selector) and the pods the selector matches (readiness, missing pods).
   */
  readonly cluster?: ClusterInputs;
}

export interface ClusterInputs {
  readonly scale: TargetScale;
  /** The selector the pods were listed with. */
  readonly podSelector: string;
  readonly pods: readonly PodInfo[];
}

export interface ReturnedValue {
  /** `Kind/name` of the described object (custom metrics). */
  readonly object?: string;
  /** The series' labels (external metrics). */
  readonly labels?: Labels;
  readonly value: string;
  readonly timestamp?: string;
}

export interface MetricExplanation {
  readonly index: number;
  readonly type: MetricType;
  readonly name: string;
  readonly target?: string;
  /** Path and query sent. */
  readonly query?: string;
  readonly values: readonly ReturnedValue[];
  /** Why the metric was left out of the calculation. */
  readonly skipped?: string;
  /** The ratio, proposal and reason; absent when skipped. */
  readonly result?: MetricResult;
  /** The MetricQuery object that defines this metric in the HPA's namespace (inputs from a cluster only). */
  readonly metricQuery?: MetricQuerySummary;
}

export interface Explanation {
  /** `convertedFrom`: the document's autoscaling version when it was converted to v2 first. */
  readonly hpa: {
    readonly namespace: string;
    readonly name: string;
    readonly scaleTarget: string;
    readonly convertedFrom?: string;
  };
  readonly currentReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The custom.metrics.k8s.io version used, and how it was chosen (spec §1.8). */
  readonly customVersion?: { readonly version: CustomMetricsVersion; readonly how: string };
  readonly metrics: readonly MetricExplanation[];
  readonly decision: ReplicaDecision;
  readonly notes: readonly string[];
  /** Present when the inputs came from the cluster. */
  readonly cluster?: {
    readonly scale: TargetScale;
    readonly pods: {
      readonly selector: string;
      readonly count: number;
      readonly states: readonly { readonly state: string; readonly pods: readonly string[] }[];
    };
  };
}

/** `Running and Ready`, `Pending`, …: how groupPods will treat the pod, in words. */
function podState(pod: PodInfo): string {
  if (pod.deleting === true) return 'being deleted';
  if (pod.phase === 'Running') return pod.ready ? 'Running and Ready' : 'Running, not Ready';
  return pod.phase;
}

function summarizePods(pods: readonly PodInfo[]): { state: string; pods: string[] }[] {
  const byState = new Map<string, string[]>();
  for (const pod of pods) byState.set(podState(pod), [...(byState.get(podState(pod)) ?? []), pod.name]);
  return [...byState].map(([state, names]) => ({ state, pods: names }));
}

export class ExplainInputError extends Error {
  override readonly name = 'ExplainInputError';
}

interface Item {
  describedObject?: { kind?: string; name?: string };
  metricLabels?: Labels;
  value?: unknown;
  timestamp?: string;
}

/**
 * The message an apiserver error carries: a Status's `message`, else the body's first line (the aggregator's plain-text
 * 503).
 */
export function apiErrorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    if (parsed.kind === 'Status' && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON
  }
  const line = body.trim().split('\n')[0] ?? '';
  return line === '' ? `the server responded with HTTP ${status}` : `${line} (HTTP ${status})`;
}

/**
 * NB: METRICS discovery.go: the group's preferredVersion if known, else the first known version; probed directly when
 * the group document is missing.
 */
async function chooseCustomVersion(
  fetcher: MetricsFetcher,
): Promise<{ version: CustomMetricsVersion; how: string } | { error: string }> {
  const known = (gv: string | undefined): CustomMetricsVersion | undefined =>
    gv === 'custom.metrics.k8s.io/v1beta2' ? 'v1beta2' : gv === 'custom.metrics.k8s.io/v1beta1' ? 'v1beta1' : undefined;
  let groupError = '';
  try {
    const res = await fetcher.get('/apis/custom.metrics.k8s.io');
    if (res.status >= 200 && res.status < 300) {
      const group = JSON.parse(res.body) as {
        preferredVersion?: { groupVersion?: string };
        versions?: { groupVersion?: string }[];
      };
      const preferred = known(group.preferredVersion?.groupVersion);
      if (preferred) return { version: preferred, how: 'the preferredVersion of GET /apis/custom.metrics.k8s.io' };
      const first = (group.versions ?? []).map((v) => known(v.groupVersion)).find((v) => v !== undefined);
      if (first) return { version: first, how: 'the first known version listed by GET /apis/custom.metrics.k8s.io' };
      return { error: 'no known available metric versions found' };
    }
    groupError = apiErrorMessage(res.status, res.body);
    for (const version of ['v1beta2', 'v1beta1'] as const) {
      const probe = await fetcher.get(`/apis/custom.metrics.k8s.io/${version}`);
      if (probe.status >= 200 && probe.status < 300)
        return { version, how: `GET /apis/custom.metrics.k8s.io failed (${groupError}); ${version} answers discovery` };
    }
  } catch (error) {
    return { error: (error as Error).message };
  }
  return { error: `no known available metric versions found: ${groupError}` };
}

function metricName(m: HpaMetricSpec): string {
  return (
    m.pods?.metric.name ??
    m.object?.metric.name ??
    m.external?.metric.name ??
    m.resource?.name ??
    m.containerResource?.name ??
    ''
  );
}

function describeTarget(t: HpaMetricTarget): string {
  return t.type === 'Value' ? `value ${t.value!.toString()}` : `averageValue ${t.averageValue!.toString()}`;
}

function objectTarget(t: HpaMetricTarget): ObjectTarget {
  return t.type === 'Value'
    ? { type: 'Value', value: t.value! }
    : { type: 'AverageValue', averageValue: t.averageValue! };
}

/**
 * The HPA client's error texts (K8S `replica_calculator.go`, `metrics/client.go`), around the adapter's own message.
 */
function fetchError(m: HpaMetricSpec, namespace: string, query: MetricQuery, message: string): string {
  const name = metricName(m);
  if (m.type === 'External')
    return `unable to get external metric ${namespace}/${name}/${query.metricSelector}: unable to fetch metrics from external metrics API: ${message}`;
  return `unable to get metric ${name}: unable to fetch metrics from custom metrics API: ${message}`;
}

async function fetchMetric(
  m: HpaMetricSpec,
  query: MetricQuery,
  fetcher: MetricsFetcher,
  namespace: string,
): Promise<{ input: MetricInput; values: ReturnedValue[] }> {
  const type = m.type as MetricType;
  const name = metricName(m);
  const fail = (message: string, values: ReturnedValue[] = []) => ({
    input: { type, name, error: fetchError(m, namespace, query, message) },
    values,
  });
  let res;
  try {
    res = await fetcher.get(query.url);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (res.status < 200 || res.status >= 300) return fail(apiErrorMessage(res.status, res.body));
  let items: Item[];
  try {
    items = (JSON.parse(res.body) as { items?: Item[] }).items ?? [];
  } catch {
    return fail('the response is not JSON');
  }
  const values: ReturnedValue[] = [];
  const quantities: { pod: string; value: Quantity }[] = [];
  for (const item of items) {
    const text = typeof item.value === 'number' ? String(item.value) : String(item.value ?? '');
    const shown = {
      ...(item.describedObject
        ? { object: `${item.describedObject.kind ?? '?'}/${item.describedObject.name ?? '?'}` }
        : {}),
      ...(item.metricLabels ? { labels: item.metricLabels } : {}),
      value: text,
      ...(item.timestamp ? { timestamp: item.timestamp } : {}),
    };
    values.push(shown);
    try {
      quantities.push({ pod: item.describedObject?.name ?? '', value: parseQuantity(text) });
    } catch (error) {
      return fail(`cannot read the value ${JSON.stringify(text)}: ${(error as Error).message}`, values);
    }
  }
  if (query.single && quantities.length !== 1)
    return fail(`the server returned ${quantities.length} results when we asked for exactly one`, values);
  if (m.type === 'Pods')
    return {
      input: {
        type: 'Pods',
        name,
        target: { type: 'AverageValue', averageValue: m.pods!.target.averageValue! },
        values: quantities,
      },
      values,
    };
  if (m.type === 'Object')
    return {
      input: { type: 'Object', name, target: objectTarget(m.object!.target), value: quantities[0]!.value },
      values,
    };
  return {
    input: { type: 'External', name, target: objectTarget(m.external!.target), values: quantities.map((v) => v.value) },
    values,
  };
}

function describeResourceTarget(t: ResourceTarget): string {
  return t.type === 'Utilization'
    ? `averageUtilization ${t.averageUtilization}%`
    : `averageValue ${t.averageValue.toString()}`;
}

interface PodMetricsItem {
  metadata?: { name?: string };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, string> }[];
}

/**
 * A Resource or ContainerResource metric, read as the controller's resource metrics client does (K8S
 * `metrics/client.go` `GetResourceMetric`): the PodMetrics of the pod selector, each reduced to the sum of its
 * containers' usage (or the one container's); a pod missing the resource in a container is left out.
 */
async function fetchResourceMetric(
  m: HpaMetricSpec,
  fetcher: MetricsFetcher,
  namespace: string,
  podSelector: string,
): Promise<{ input: MetricInput; values: ReturnedValue[]; url: string }> {
  const spec = m.type === 'Resource' ? m.resource! : m.containerResource!;
  const container = m.type === 'ContainerResource' ? m.containerResource!.container : undefined;
  const type = m.type as 'Resource' | 'ContainerResource';
  const resource = spec.name;
  const url = `/apis/metrics.k8s.io/v1beta1/namespaces/${escapeSegment(namespace)}/pods${encodeQuery({ labelSelector: podSelector })}`;
  const target: ResourceTarget =
    spec.target.type === 'Utilization'
      ? { type: 'Utilization', averageUtilization: spec.target.averageUtilization! }
      : { type: 'AverageValue', averageValue: spec.target.averageValue! };
  const fail = (message: string, values: ReturnedValue[] = []) => ({
    input: { type, name: resource, error: `unable to get metrics for resource ${resource}: ${message}` },
    values,
    url,
  });
  let res;
  try {
    res = await fetcher.get(url);
  } catch (error) {
    return fail(`unable to fetch metrics from resource metrics API: ${(error as Error).message}`);
  }
  if (res.status < 200 || res.status >= 300)
    return fail(`unable to fetch metrics from resource metrics API: ${apiErrorMessage(res.status, res.body)}`);
  let items: PodMetricsItem[];
  try {
    items = (JSON.parse(res.body) as { items?: PodMetricsItem[] }).items ?? [];
  } catch {
    return fail('unable to fetch metrics from resource metrics API: the response is not JSON');
  }
  if (items.length === 0) return fail('no metrics returned from resource metrics API');
  const values: ReturnedValue[] = [];
  const samples: ResourceSample[] = [];
  for (const item of items) {
    const pod = item.metadata?.name ?? '';
    const containers = (item.containers ?? []).filter((c) => container === undefined || c.name === container);
    if (container !== undefined && containers.length === 0)
      return fail(`container ${container} not present in metrics for pod ${namespace}/${pod}`, values);
    let sum: Quantity | undefined;
    let missing = containers.length === 0;
    for (const c of containers) {
      const text = c.usage?.[resource];
      if (text === undefined) {
        missing = true;
        break;
      }
      let usage: Quantity;
      try {
        usage = parseQuantity(text);
      } catch (error) {
        return fail(`cannot read the usage ${JSON.stringify(text)} of pod ${pod}: ${(error as Error).message}`, values);
      }
      sum = sum === undefined ? usage : sum.add(usage);
    }
    if (missing || sum === undefined) continue;
    values.push({
      object: `Pod/${pod}`,
      value: sum.toString(),
      ...(item.timestamp ? { timestamp: item.timestamp } : {}),
    });
    let windowMs = 0;
    try {
      windowMs = item.window === undefined ? 0 : parseDuration(item.window);
    } catch {
      // an unreadable window counts as none
    }
    samples.push({ pod, value: sum, timestamp: Date.parse(item.timestamp ?? '') || 0, windowMs });
  }
  return {
    input: { type, name: resource, ...(container !== undefined ? { container } : {}), target, values: samples },
    values,
    url,
  };
}

/** The metric autoscaling/v2 defaulting gives an HPA without `spec.metrics`: CPU at 80% of requests. */
const defaultMetrics: readonly HpaMetricSpec[] = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

/** Explains what the HPA controller would decide for `hpa` with the metric values `fetcher` reaches. */
export async function explainHpa(
  hpa: HorizontalPodAutoscaler,
  fetcher: MetricsFetcher,
  options: ExplainOptions,
): Promise<Explanation> {
  const namespace = options.namespace ?? hpa.metadata.namespace ?? 'default';
  const currentReplicas = options.currentReplicas ?? options.cluster?.scale.specReplicas ?? hpa.status?.currentReplicas;
  if (currentReplicas === undefined)
    throw new ExplainInputError(
      'the current replica count is unknown: pass --current-replicas N (the manifest has no status.currentReplicas)',
    );
  const notes: string[] = [];
  const given = hpa.spec.metrics;
  const specMetrics: readonly HpaMetricSpec[] = given === undefined || given.length === 0 ? defaultMetrics : given;
  if (specMetrics === defaultMetrics) {
    notes.push("spec.metrics is empty: like the API server's defaulting, CPU at 80% of requests is used");
  }
  let podSelector = '';
  const selectorText = options.podSelector ?? options.cluster?.podSelector;
  if (selectorText !== undefined && selectorText !== '') podSelector = parseSelector(selectorText).toString();
  else if (specMetrics.some((m) => m.type === 'Pods' || m.type === 'Resource' || m.type === 'ContainerResource'))
    notes.push(
      "no pod selector given (--selector): Pods metrics are asked for every pod of the namespace, where the HPA sends its target's scale.status.selector",
    );

  const needsCustom = specMetrics.some((m) => m.type === 'Pods' || m.type === 'Object');
  const chosen = needsCustom ? await chooseCustomVersion(fetcher) : undefined;
  const customVersion = chosen !== undefined && 'version' in chosen ? chosen : undefined;
  const ctx = {
    namespace,
    customVersion: customVersion?.version ?? 'v1beta2',
    podSelector,
    resourceMapper: options.resourceMapper,
  } as const;

  const explained: MetricExplanation[] = [];
  const inputs: MetricInput[] = [];
  for (const [index, m] of specMetrics.entries()) {
    const name = metricName(m);
    const target = m.pods?.target ?? m.object?.target ?? m.external?.target;
    const resourceTarget = m.resource?.target ?? m.containerResource?.target;
    const base = {
      index,
      type: m.type,
      name,
      ...(target && target.type !== 'Utilization' ? { target: describeTarget(target) } : {}),
      ...(resourceTarget
        ? {
            target: describeResourceTarget(
              resourceTarget.type === 'Utilization'
                ? { type: 'Utilization', averageUtilization: resourceTarget.averageUtilization! }
                : { type: 'AverageValue', averageValue: resourceTarget.averageValue! },
            ),
          }
        : {}),
    };
    if (m.type === 'Resource' || m.type === 'ContainerResource') {
      const { input, values, url } = await fetchResourceMetric(m, fetcher, namespace, podSelector);
      inputs.push(input);
      explained.push({ ...base, query: url, values });
      continue;
    }
    const query = queryFor(m, ctx)!;
    if (query.api === 'custom' && chosen !== undefined && 'error' in chosen) {
      inputs.push({ type: m.type as MetricType, name, error: fetchError(m, namespace, query, chosen.error) });
      explained.push({ ...base, query: query.url, values: [] });
      continue;
    }
    const { input, values } = await fetchMetric(m, query, fetcher, namespace);
    inputs.push(input);
    // NB: only when reading a cluster: then the fetcher is the API server, which serves MetricQuery objects.
    const metricQuery = options.cluster !== undefined ? await lookUpMetricQuery(fetcher, namespace, name) : undefined;
    explained.push({ ...base, query: query.url, values, ...(metricQuery !== undefined ? { metricQuery } : {}) });
  }

  const decision = calculateReplicas({
    specReplicas: currentReplicas,
    // NB: --current-replicas stands for both counts; otherwise AverageValue targets divide by the scale's
    // status.replicas.
    statusReplicas: options.currentReplicas ?? options.cluster?.scale.statusReplicas ?? currentReplicas,
    ...(options.cluster ? { pods: options.cluster.pods } : {}),
    ...(hpa.spec.minReplicas !== undefined ? { minReplicas: hpa.spec.minReplicas } : {}),
    maxReplicas: hpa.spec.maxReplicas,
    metrics: inputs,
    ...(hpa.spec.behavior ? { behavior: hpa.spec.behavior } : {}),
    ...options.history,
  });
  let next = 0;
  const withResults = explained.map((e) => (e.skipped === undefined ? { ...e, result: decision.metrics[next++]! } : e));
  const ref = hpa.spec.scaleTargetRef;
  return {
    hpa: {
      namespace,
      name: hpa.metadata.name,
      scaleTarget: `${ref.kind}/${ref.name}`,
      ...(hpa.convertedFrom !== undefined ? { convertedFrom: hpa.convertedFrom } : {}),
    },
    currentReplicas,
    minReplicas: hpa.spec.minReplicas ?? 1,
    maxReplicas: hpa.spec.maxReplicas,
    ...(customVersion ? { customVersion } : {}),
    metrics: withResults,
    decision,
    notes: [...notes, ...decision.assumptions],
    ...(options.cluster
      ? {
          cluster: {
            scale: options.cluster.scale,
            pods: {
              selector: podSelector,
              count: options.cluster.pods.length,
              states: summarizePods(options.cluster.pods),
            },
          },
        }
      : {}),
  };
}
