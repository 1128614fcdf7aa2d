/**
 * What the HPA controller reads from the API server before it asks for any metric (`horizontal.go`
 * `reconcileAutoscaler`): the HPA itself, its target's scale subresource (found through discovery, as
 * the controller's RESTMapper and the scale client's ScaleKindResolver do), and the pods the scale's
 * selector matches. Every GET goes through a {@link MetricsFetcher}, so this module does no I/O of its own.
 * @module
 */
import { discoverResources } from '../kube/discovery.js';
import { createFixedResourceMapper } from '../kube/discovery-resource-mapper.js';
import { KubeApiError } from '../kube/kube-client.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import { apiErrorMessage, type MetricsFetcher } from './explain.js';
import type { HorizontalPodAutoscaler } from './hpa-schema.js';
import { escapeSegment } from './metric-queries.js';
import { parseHpa } from './parse-hpa.js';
import { parseQuantity } from '../quantity/index.js';
import type { ContainerRequests, PodInfo, TargetScale } from './types.js';

/** A read that failed; `message` is one line, as the HPA's condition or the API server's Status says it. */
export class ClusterReadError extends Error {
  override readonly name = 'ClusterReadError';
}

export interface ClusterState {
  readonly hpa: HorizontalPodAutoscaler;
  readonly scale: TargetScale;
  /** The cluster's RESTMapper, for Object metrics' `describedObject` (METRICS `versioned_client.go`). */
  readonly resourceMapper: ResourceMapper;
}

async function getJson<T>(fetcher: MetricsFetcher, path: string): Promise<T> {
  const res = await fetcher.get(path);
  if (res.status < 200 || res.status >= 300) throw new KubeApiError(apiErrorMessage(res.status, res.body), res.status);
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new KubeApiError(`GET ${path}: the response is not JSON`, res.status);
  }
}

const why = (error: unknown) => (error as Error).message;

/**
 * GET for discovery, failing with what was asked and how it failed: the path, then the HTTP code with the
 * Status message, or the network error. A 404 on `/api` means the server is no API server at all.
 */
async function getDiscoveryJson<T>(fetcher: MetricsFetcher, path: string): Promise<T> {
  let res;
  try {
    res = await fetcher.get(path);
  } catch (error) {
    throw new KubeApiError(`GET ${path}: ${why(error)}`, 0, { cause: error });
  }
  if (res.status < 200 || res.status >= 300) {
    const notApiServer =
      res.status === 404 && path === '/api'
        ? " (the server has no core API: is the kubeconfig the adapter's rather than the cluster's? explain hpa reads the HPA from the API server)"
        : '';
    throw new KubeApiError(
      `GET ${path}: HTTP ${res.status}: ${apiErrorMessage(res.status, res.body)}${notApiServer}`,
      res.status,
    );
  }
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new KubeApiError(`GET ${path}: HTTP ${res.status}: the response is not JSON`, res.status);
  }
}

/** GET the HPA; a missing or forbidden one fails with the API server's Status message. */
async function readHpa(fetcher: MetricsFetcher, namespace: string, name: string): Promise<HorizontalPodAutoscaler> {
  const path = `/apis/autoscaling/v2/namespaces/${escapeSegment(namespace)}/horizontalpodautoscalers/${escapeSegment(name)}`;
  const res = await fetcher.get(path).catch((error: unknown) => {
    throw new ClusterReadError(`cannot read the HPA: ${why(error)}`);
  });
  if (res.status < 200 || res.status >= 300) throw new ClusterReadError(apiErrorMessage(res.status, res.body));
  return parseHpa(res.body, `horizontalpodautoscalers.autoscaling/${name}`);
}

const failedGetScale = (message: string) =>
  new ClusterReadError(
    `AbleToScale=False FailedGetScale: the HPA controller was unable to get the target's current scale: ${message}`,
  );

/** Reads the HPA, then its target's scale, as one reconcile does. */
export async function readClusterState(
  fetcher: MetricsFetcher,
  namespace: string,
  name: string,
): Promise<ClusterState> {
  let discovered;
  try {
    discovered = await discoverResources({ getJson: (path) => getDiscoveryJson(fetcher, path) });
  } catch (error) {
    throw new ClusterReadError(`cannot read the API server's discovery: ${why(error)}`);
  }
  const mapper = createFixedResourceMapper(discovered.resources);
  const hpa = await readHpa(fetcher, namespace, name);
  const ref = hpa.spec.scaleTargetRef;
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  // NB: horizontal.go maps the GroupKind with RESTMappings, which matches kinds only (not plural or short names).
  const gr = mapper.resourceFor(group === '' ? ref.kind : `${ref.kind}.${group}`);
  const location = mapper.locate(gr);
  if (location === undefined || location.kind !== ref.kind || location.group !== group) {
    throw failedGetScale(`no matches for kind ${JSON.stringify(ref.kind)} in group ${JSON.stringify(group)}`);
  }
  const gv = location.group === '' ? location.version : `${location.group}/${location.version}`;
  // NB: client-go scale ScaleKindResolver: the `<resource>/scale` entry of discovery, else this error.
  if (!(location.subresources ?? []).includes('scale')) {
    throw failedGetScale(
      `could not find scale subresource for ${location.group === '' ? '' : `${location.group}/`}${location.version}, Resource=${location.resource} in discovery information`,
    );
  }
  const prefix = location.group === '' ? `/api/${location.version}` : `/apis/${gv}`;
  const path = `${prefix}/namespaces/${escapeSegment(namespace)}/${location.resource}/${escapeSegment(ref.name)}/scale`;
  let scale: { spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } };
  try {
    scale = await getJson(fetcher, path);
  } catch (error) {
    throw failedGetScale(why(error));
  }
  return {
    hpa,
    resourceMapper: mapper,
    scale: {
      target: `${location.resource}${location.group === '' ? '' : `.${location.group}`}/${ref.name}`,
      path,
      specReplicas: scale.spec?.replicas ?? 0,
      statusReplicas: scale.status?.replicas ?? 0,
      selector: scale.status?.selector ?? '',
    },
  };
}

interface ContainerObject {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string> };
}

interface PodObject {
  metadata?: { name?: string; deletionTimestamp?: string | null };
  spec?: { containers?: ContainerObject[]; initContainers?: ContainerObject[] };
  status?: {
    phase?: PodInfo['phase'];
    startTime?: string;
    conditions?: { type?: string; status?: string; lastTransitionTime?: string }[];
  };
}

/** NB: `calculatePodRequests`: the containers and the restartable (sidecar) init containers, requests as MilliValue. */
function containersOf(pod: PodObject): ContainerRequests[] {
  const all = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  return all.map((c) => {
    const requests: Record<string, bigint> = {};
    for (const [resource, text] of Object.entries(c.resources?.requests ?? {})) {
      try {
        requests[resource] = parseQuantity(String(text)).milliValue();
      } catch {
        // an unreadable request counts as missing
      }
    }
    return { name: c.name ?? '', requests };
  });
}

/** The pods in `namespace` that `selector` matches, as the controller's pod lister gives them to `groupPods`. */
export async function listPods(fetcher: MetricsFetcher, namespace: string, selector: string): Promise<PodInfo[]> {
  const path = `/api/v1/namespaces/${escapeSegment(namespace)}/pods${selector === '' ? '' : `?labelSelector=${encodeURIComponent(selector)}`}`;
  let list: { items?: PodObject[] };
  try {
    list = await getJson(fetcher, path);
  } catch (error) {
    throw new ClusterReadError(`unable to get pods while calculating replica count: ${why(error)}`);
  }
  return (list.items ?? []).map((pod) => {
    const readyCondition = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
    const startTime = pod.status?.startTime === undefined ? Number.NaN : Date.parse(pod.status.startTime);
    return {
      name: pod.metadata?.name ?? '',
      phase: pod.status?.phase ?? 'Unknown',
      // NB: podutil.IsPodReady: the Ready condition's status is "True".
      ready: readyCondition?.status === 'True',
      ...(pod.metadata?.deletionTimestamp ? { deleting: true } : {}),
      containers: containersOf(pod),
      ...(Number.isNaN(startTime) ? {} : { startTime }),
      ...(readyCondition !== undefined
        ? {
            readyCondition: {
              status: readyCondition.status ?? 'Unknown',
              lastTransitionTime: Date.parse(readyCondition.lastTransitionTime ?? '') || 0,
            },
          }
        : {}),
    };
  });
}
