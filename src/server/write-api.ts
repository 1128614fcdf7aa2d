/**
 * The write API of the CMAS test adapter (`POST /write-metrics/...`), plus external metrics
 * (`POST /write-external-metrics/...`): path, names, labels and the JSON quantity body are all
 * validated before anything is stored, so a bad request leaves the stored value unchanged.
 * @module
 */
import { encodeStatusSuccess, statusSuccessAround } from '../api/encode-status.js';
import { badRequest } from '../api/errors.js';
import { dns1123LabelProblem, dns1123SubdomainProblem, metricNameProblem } from '../api/names.js';
import type { Labels } from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { CustomMetricInfo, NamespacedName } from '../providers/provider.js';
import type { MetricsWriter } from '../providers/write.js';
import { parseQuantityJson, type Quantity } from '../quantity/index.js';
import { parseResourceUsageBody, parseResourceWritePath } from './resource-write.js';
import { parseDuration } from '../duration/index.js';
import { parseLabelSet } from '../selector/index.js';
import { groupResourceString } from '../api/errors.js';
import { parseCustomWritePath, parseExternalWritePath, splitPath } from './paths.js';
import { BoundedCache } from './bounded-cache.js';
import { whenReady, type MaybePromise } from './maybe-promise.js';

export interface WriteApi {
  /**
   * Stores one custom metric value; returns the JSON of the Status success that answers it. `path` is the whole
   * request path (`/write-metrics/...`, as sent), `query` its query string.
   */
  writeCustom(path: string, query: string, body: string): MaybePromise<string>;
  writeExternal(path: string, query: string, body: string): MaybePromise<string>;
  /** Stores CPU and memory usage of a node or a pod container (`/write-resource-metrics/...`). */
  writeResource(path: string, query: string, body: string): Promise<string>;
}

/** A custom write's path and query, checked and parsed: what a series' writer sends again with every value. */
interface CustomTarget {
  readonly query: string;
  /** The resource as written in the path, to tell whether the mapper still maps it to the same group. */
  readonly resource: string;
  readonly info: CustomMetricInfo;
  readonly name: NamespacedName;
  readonly metricLabels: Labels;
  readonly objectLabels: Labels | undefined;
  /** The Status success around the value; its message reads `stored {metric}={value} for {resource} {object}`. */
  readonly answerBefore: string;
  readonly answerAfter: string;
}

interface ExternalTarget {
  readonly query: string;
  readonly namespace: string | null;
  readonly metric: string;
  readonly labels: Labels;
  readonly answerBefore: string;
  readonly answerAfter: string;
}

/**
 * Targets kept per request path. NB: a writer sends the same path and query with every value, and checking names,
 * parsing labels and building the message cost about as much as storing the value; past the bound the cache starts
 * over (bounded-cache.ts), which costs only the parsing it saved.
 */
const targetCacheSize = 8192;

export function createWriteApi(writer: MetricsWriter, mapper: ResourceMapper, now: () => number = Date.now): WriteApi {
  const customTargets = new BoundedCache<CustomTarget>(targetCacheSize);
  const externalTargets = new BoundedCache<ExternalTarget>(targetCacheSize);

  /** NB: in the order the checks have always run, so a request with several problems names the same one. */
  const customTarget = (requestPath: string, query: string): CustomTarget => {
    const path = parseCustomWritePath(splitPath(requestPath).slice(2));
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
    const where = path.namespace === '' ? path.name : `${path.namespace}/${path.name}`;
    const answer = statusSuccessAround(
      200,
      `stored ${path.metric}=`,
      ` for ${groupResourceString(groupResource)} ${where}`,
    );
    return Object.freeze({
      query,
      resource: path.resource,
      info: Object.freeze({ groupResource, namespaced: path.namespace !== '', metric: path.metric }),
      name: Object.freeze({ namespace: path.namespace, name: path.name }),
      metricLabels: labelsParam(query, 'labels') ?? noLabels,
      objectLabels: labelsParam(query, 'objectLabels'),
      answerBefore: answer.before,
      answerAfter: answer.after,
    });
  };

  const externalTarget = (requestPath: string, query: string): ExternalTarget => {
    const path = parseExternalWritePath(splitPath(requestPath).slice(2));
    if (path.namespace !== null) check('namespace', path.namespace, dns1123LabelProblem);
    check('metric name', path.metric, metricNameProblem);
    const scope = path.namespace === null ? 'every namespace' : `namespace ${path.namespace}`;
    const answer = statusSuccessAround(200, `stored ${path.metric}=`, ` for ${scope}`);
    return Object.freeze({
      query,
      namespace: path.namespace,
      metric: path.metric,
      labels: labelsParam(query, 'labels') ?? noLabels,
      answerBefore: answer.before,
      answerAfter: answer.after,
    });
  };

  return {
    writeCustom(path, query, body) {
      let target = customTargets.get(path);
      if (
        target === undefined ||
        target.query !== query ||
        mapper.resourceFor(target.resource) !== target.info.groupResource
      ) {
        target = customTarget(path, query);
        customTargets.set(path, target);
      }
      const value = quantityOf(body);
      const { info, name, metricLabels, objectLabels } = target;
      const timestamp = now();
      return acknowledge(
        target,
        value,
        writer.writeCustomMetric({ info, name, metricLabels, objectLabels, value, timestamp }),
      );
    },

    writeExternal(path, query, body) {
      let target = externalTargets.get(path);
      if (target === undefined || target.query !== query) {
        target = externalTarget(path, query);
        externalTargets.set(path, target);
      }
      const value = quantityOf(body);
      const { namespace, metric, labels } = target;
      return acknowledge(
        target,
        value,
        writer.writeExternalMetric({ namespace, metric, labels, value, timestamp: now() }),
      );
    },

    async writeResource(requestPath, query, body) {
      if (writer.writeResourceUsage === undefined)
        throw badRequest('this back end does not take resource usage writes');
      const path = parseResourceWritePath(splitPath(requestPath).slice(2));
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
      const stored = Object.entries(usage)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return encodeStatusSuccess(200, `stored ${stored} for ${what}`);
    },
  };
}

/** The Status success that answers a stored `value`, once the back end has stored it. */
function acknowledge(
  target: { readonly answerBefore: string; readonly answerAfter: string },
  value: Quantity,
  stored: void | Promise<void>,
): MaybePromise<string> {
  return whenReady(stored, () => target.answerBefore + value.toString() + target.answerAfter);
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
const quantities = new BoundedCache<Quantity>(4096, 32);

/**
 * The quantity of a JSON body. NB: writers send the same few values over and over (counts, `0`, `500m`), and a
 * Quantity is immutable, so parsed ones are kept by their body text; a body that does not parse is never kept.
 */
function quantityOf(body: string): Quantity {
  let quantity = quantities.get(body);
  if (quantity === undefined) {
    quantity = parseQuantityJson(body);
    quantities.set(body, quantity);
  }
  return quantity;
}
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
