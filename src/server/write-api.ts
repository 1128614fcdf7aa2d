/**
 * The write API of the CMAS test adapter (`POST /write-metrics/...`), plus external metrics
 * (`POST /write-external-metrics/...`): path, names, labels and the JSON quantity body are all
 * validated before anything is stored, so a bad request leaves the stored value unchanged.
 * @module
 */
import { badRequest } from '../api/errors.js';
import { dns1123LabelProblem, dns1123SubdomainProblem, metricNameProblem } from '../api/names.js';
import type { Labels } from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter } from '../providers/write.js';
import { parseQuantityJson } from '../quantity/index.js';
import { parseResourceUsageBody, parseResourceWritePath } from './resource-write.js';
import { parseDuration } from '../duration/index.js';
import { parseLabelSet } from '../selector/index.js';
import { groupResourceString } from '../api/errors.js';
import { parseCustomWritePath, parseExternalWritePath } from './paths.js';
import { BoundedCache } from './bounded-cache.js';

export interface WriteApi {
  /** Stores one custom metric value; returns the success message. */
  writeCustom(segments: readonly string[], query: string, body: string): Promise<string>;
  writeExternal(segments: readonly string[], query: string, body: string): Promise<string>;
  /** Stores CPU and memory usage of a node or a pod container (`/write-resource-metrics/...`). */
  writeResource(segments: readonly string[], query: string, body: string): Promise<string>;
}

export function createWriteApi(writer: MetricsWriter, mapper: ResourceMapper, now: () => number = Date.now): WriteApi {
  return {
    async writeCustom(segments, query, body) {
      const path = parseCustomWritePath(segments);
      const groupResource = mapper.resourceFor(path.resource);
      if (path.namespace !== '') check('namespace', path.namespace, dns1123LabelProblem);
      check('resource', groupResource.resource, dns1123LabelProblem);
      if (groupResource.group !== '') check('API group', groupResource.group, dns1123SubdomainProblem);
      check(
        groupResource.resource === 'namespaces' ? 'namespace' : 'object name',
        path.name,
        groupResource.resource === 'namespaces' ? dns1123LabelProblem : dns1123SubdomainProblem,
      );
      check('metric name', path.metric, metricNameProblem);
      const write: CustomMetricWrite = {
        info: { groupResource, namespaced: path.namespace !== '', metric: path.metric },
        name: { namespace: path.namespace, name: path.name },
        metricLabels: labelsParam(query, 'labels') ?? noLabels,
        objectLabels: labelsParam(query, 'objectLabels'),
        value: parseQuantityJson(body),
        timestamp: now(),
      };
      await writer.writeCustomMetric(write);
      const where = path.namespace === '' ? path.name : `${path.namespace}/${path.name}`;
      return `stored ${path.metric}=${write.value.toString()} for ${groupResourceString(groupResource)} ${where}`;
    },

    async writeExternal(segments, query, body) {
      const path = parseExternalWritePath(segments);
      if (path.namespace !== null) check('namespace', path.namespace, dns1123LabelProblem);
      check('metric name', path.metric, metricNameProblem);
      const write: ExternalMetricWrite = {
        namespace: path.namespace,
        metric: path.metric,
        labels: labelsParam(query, 'labels') ?? noLabels,
        value: parseQuantityJson(body),
        timestamp: now(),
      };
      await writer.writeExternalMetric(write);
      const scope = path.namespace === null ? 'every namespace' : `namespace ${path.namespace}`;
      return `stored ${path.metric}=${write.value.toString()} for ${scope}`;
    },

    async writeResource(segments, query, body) {
      if (writer.writeResourceUsage === undefined)
        throw badRequest('this back end does not take resource usage writes');
      const path = parseResourceWritePath(segments);
      if (path.namespace !== '') check('namespace', path.namespace, dns1123LabelProblem);
      check(path.container === undefined ? 'node name' : 'pod name', path.name, dns1123SubdomainProblem);
      if (path.container !== undefined) check('container name', path.container, dns1123LabelProblem);
      const usage = parseResourceUsageBody(body);
      await writer.writeResourceUsage({
        namespace: path.namespace,
        name: path.name,
        ...(path.container !== undefined ? { container: path.container } : {}),
        usage,
        objectLabels: labelsParam(query, 'objectLabels'),
        timestamp: now(),
        windowMs: windowParam(new URLSearchParams(query)),
      });
      const what =
        path.container === undefined
          ? `node ${path.name}`
          : `pod ${path.namespace}/${path.name} container ${path.container}`;
      return `stored ${Object.entries(usage)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} for ${what}`;
    },
  };
}

function check(what: string, value: string, problemOf: (value: string) => string | undefined): void {
  const problem = problemOf(value);
  if (problem !== undefined) throw badRequest(`invalid ${what} ${JSON.stringify(value)}: ${problem}`);
}

/** `window`, a Go duration, default 30s: the sample window the usage is an average over. */
function windowParam(params: URLSearchParams): number {
  const text = params.get('window');
  if (text === null) return 30_000;
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch (error) {
    throw badRequest(`invalid window ${JSON.stringify(text)}: ${(error as Error).message}`, { cause: error });
  }
  throw badRequest(`invalid window ${JSON.stringify(text)}: must be positive`);
}

const noLabels: Labels = Object.freeze({});
const labelSetCaches = new Map<string, BoundedCache<Labels | null>>();

/**
 * The label set in query parameter `name`, frozen; undefined when absent. NB: writers send the same few label sets
 * over and over (a workload's pods share theirs), and URLSearchParams plus the label parser cost more than storing the
 * value, so parsed sets are kept per distinct query, as selectors are. A set that does not parse is never kept.
 */
function labelsParam(query: string, name: string): Labels | undefined {
  if (query === '') return undefined;
  let cache = labelSetCaches.get(name);
  if (cache === undefined) {
    cache = new BoundedCache();
    labelSetCaches.set(name, cache);
  }
  const hit = cache.get(query);
  if (hit !== undefined) return hit ?? undefined;
  const text = new URLSearchParams(query).get(name);
  let labels: Labels | null = null;
  if (text !== null) {
    try {
      labels = Object.freeze(parseLabelSet(text));
    } catch (error) {
      throw badRequest(`invalid ${name} ${JSON.stringify(text)}: ${(error as Error).message}`, { cause: error });
    }
  }
  cache.set(query, labels);
  return labels ?? undefined;
}
