/**
 * The `/apis` tree: discovery documents and the custom and external metrics data paths. One
 * function per request kind turns a parsed path into one provider call and encodes the answer
 * (the counterpart of CMAS registry/custom_metrics/reststorage.go).
 * @module
 */
import { metricNotFound, noMetricsFor, routeNotFound, notAcceptable, StatusError } from '../api/errors.js';
import {
  encodeAPIGroup,
  encodeAPIGroupList,
  encodeCustomResourceList,
  encodeExternalResourceList,
  type ServedGroup,
} from '../api/encode-discovery.js';
import { encodeExternalMetricValueList, encodeMetricValueList } from '../api/encode-metrics.js';
import {
  customMetricsGroup,
  externalMetricsGroup,
  externalMetricsVersion,
  resourceMetricsGroup,
  resourceMetricsVersion,
  type CustomMetricsVersion,
} from '../api/types.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricsProvider,
  ExternalMetricValue,
  MetricValue,
  QueryContext,
  ResourceMetricsProvider,
} from '../providers/provider.js';
import type { Selector } from '../selector/index.js';
import { encodeResourceMetricsResourceList } from '../api/encode-resource-metrics.js';
import { parseCustomPath, parseExternalPath } from './paths.js';
import { selectorParam } from './selector-params.js';
import { answerResourceMetrics } from './resource-metrics-api.js';
import { acceptsJson } from './respond.js';
import { BodyCache } from './body-cache.js';
import { whenReady, type MaybePromise } from './maybe-promise.js';

export interface MetricsApiOptions {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  /** Serves `metrics.k8s.io/v1beta1` (NodeMetrics, PodMetrics) when given. */
  readonly resource?: ResourceMetricsProvider;
  readonly resourceMapper: ResourceMapper;
  /** The clock of `creationTimestamp` in resource metrics answers; default Date.now. */
  readonly now?: () => number;
}

/** What a request under `/apis` resolved to, for the self-metrics labels. */
export interface ApiAnswer {
  readonly body: string | Buffer;
  readonly group: string;
  readonly version: string;
}

/** NB: v1beta2 first: it is what the aggregator prefers with the usual versionPriority (spec §1.8). */
const customVersions: readonly CustomMetricsVersion[] = ['v1beta2', 'v1beta1'];

export interface MetricsApi {
  /** Answers a GET under `/apis`; `segments` are the decoded path segments after `apis`. */
  handle(
    segments: readonly string[],
    query: string,
    accept: string | undefined,
    ctx: QueryContext,
  ): MaybePromise<ApiAnswer>;
  /**
   * The served group and version a path is under ('' for what is not served), so a failed request is
   * counted under its group too. NB: only served names, so a caller cannot grow the label set.
   */
  groupVersionOf(segments: readonly string[]): { readonly group: string; readonly version: string };
}

/** The groups and versions served for the providers given, preferred version first. */
export function servedGroups(providers: {
  readonly custom?: unknown;
  readonly external?: unknown;
  readonly resource?: unknown;
}): ServedGroup[] {
  const groups: ServedGroup[] = [];
  if (providers.custom) groups.push({ name: customMetricsGroup, versions: customVersions });
  if (providers.external) groups.push({ name: externalMetricsGroup, versions: [externalMetricsVersion] });
  if (providers.resource) groups.push({ name: resourceMetricsGroup, versions: [resourceMetricsVersion] });
  return groups;
}

export function createMetricsApi(options: MetricsApiOptions): MetricsApi {
  const { custom, external, resource, resourceMapper } = options;
  const now = options.now ?? Date.now;
  const groups = servedGroups(options);
  const resourceListBody = Buffer.from(encodeResourceMetricsResourceList());
  const groupListBody = encodeAPIGroupList(groups);
  const groupBodies = new Map(groups.map((g) => [g.name, encodeAPIGroup(g)]));
  const discoveryCache = createDiscoveryCache();
  const bodyCache = { v1beta1: new BodyCache<MetricValue>(), v1beta2: new BodyCache<MetricValue>() };
  const externalBodyCache = new BodyCache<ExternalMetricValue>();
  const servedMetrics = new ServedMetrics();

  /** NB: synchronous as far as the provider answers at once (see maybe-promise.ts). */
  function customData(
    version: CustomMetricsVersion,
    segments: readonly string[],
    query: string,
    ctx: QueryContext,
  ): MaybePromise<Buffer> {
    const path = parseCustomPath(segments);
    const metricSelector = selectorParam(query, 'metricLabelSelector');
    const info: CustomMetricInfo = {
      groupResource: resourceMapper.resourceFor(path.resource),
      namespaced: path.namespace !== '',
      metric: path.metric,
    };
    if (path.metric === '') {
      return objectMetrics(custom!, { namespace: path.namespace, name: path.name }, info, metricSelector, ctx).then(
        (values) => encodeMetricValueList(version, values, true),
      );
    }
    if (path.name !== '*') {
      const value = custom!.getMetricByName({ namespace: path.namespace, name: path.name }, info, metricSelector, ctx);
      return whenReady(value, (found) => bodyCache[version].one(found, (list) => encodeMetricValueList(version, list)));
    }
    const values = custom!.getMetricBySelector(
      path.namespace,
      selectorParam(query, 'labelSelector'),
      info,
      metricSelector,
      ctx,
    );
    return whenReady(values, (found) => {
      // NB: prometheus-adapter answers 404 for a metric it does not serve on every form; an empty
      // answer is checked against the served list only then, so a hit costs nothing more.
      if (found.length === 0 && !servedMetrics.has(custom!.listAllMetrics(), info))
        throw metricNotFound(info.groupResource, info.metric);
      return bodyCache[version].get(found, (list, pooled) => encodeMetricValueList(version, list, pooled));
    });
  }

  function externalData(segments: readonly string[], query: string, ctx: QueryContext): MaybePromise<Buffer> {
    const path = parseExternalPath(segments);
    const selector = selectorParam(query, 'labelSelector');
    const values = external!.getExternalMetric(path.namespace, selector, { metric: path.metric }, ctx);
    return whenReady(values, (found) => externalBodyCache.get(found, encodeExternalMetricValueList));
  }

  const answer = (body: MaybePromise<string | Buffer>, group: string, version: string): MaybePromise<ApiAnswer> =>
    whenReady(body, (bytes) => ({ body: bytes, group, version }));

  return {
    groupVersionOf(segments) {
      const group = groups.find((g) => g.name === segments[0]);
      if (group === undefined) return { group: '', version: '' };
      return { group: group.name, version: group.versions.includes(segments[1] ?? '') ? segments[1]! : '' };
    },
    handle(segments, query, accept, ctx) {
      // NB: /apis and /apis/{group} answer plain JSON whatever Accept says, so the aggregator's
      // aggregated-discovery request falls back to the legacy document (spec §3.3).
      if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) {
        return { body: groupListBody, group: '', version: '' };
      }
      const group = segments[0]!;
      const version = segments[1] ?? '';
      const groupBody = groupBodies.get(group);
      if (groupBody === undefined) throw routeNotFound();
      if (segments.length === 1 || (segments.length === 2 && version === ''))
        return { body: groupBody, group, version: '' };
      if (!acceptsJson(accept)) throw notAcceptable(['application/json']);
      const rest = segments.slice(2);
      const isDiscovery = rest.length === 0 || (rest.length === 1 && rest[0] === '');
      if (group === customMetricsGroup && custom && (version === 'v1beta1' || version === 'v1beta2')) {
        const body = isDiscovery
          ? discoveryCache.get(`${group}/${version}`, custom.listAllMetrics(), encodeCustomResourceList)
          : customData(version, rest, query, ctx);
        return answer(body, group, version);
      }
      if (group === externalMetricsGroup && external && version === externalMetricsVersion) {
        const body = isDiscovery
          ? discoveryCache.get(`${group}/${version}`, external.listAllExternalMetrics(), encodeExternalResourceList)
          : externalData(rest, query, ctx);
        return answer(body, group, version);
      }
      if (group === resourceMetricsGroup && resource && version === resourceMetricsVersion) {
        const body = isDiscovery ? resourceListBody : answerResourceMetrics(resource, rest, query, ctx, now());
        return answer(body, group, version);
      }
      throw routeNotFound();
    },
  };
}

/** `group/resource/metric` keys of a provider's served list, rebuilt when the provider returns another list. */
class ServedMetrics {
  private list: readonly CustomMetricInfo[] | undefined;
  private keys = new Set<string>();

  has(list: readonly CustomMetricInfo[], info: CustomMetricInfo): boolean {
    if (list !== this.list) {
      this.keys = new Set(list.map(servedKey));
      this.list = list;
    }
    return this.keys.has(servedKey(info));
  }
}

/** NB: scope is left out: the HPA asks for cluster-scoped objects through the namespaced form too. */
function servedKey(info: CustomMetricInfo): string {
  return `${info.groupResource.group}/${info.groupResource.resource}/${info.metric}`;
}

/**
 * Every served metric of one object, by metric name (the per-object list extension): one
 * getMetricByName per metric the provider lists for the object's resource; a 404 leaves it out.
 */
async function objectMetrics(
  custom: CustomMetricsProvider,
  name: { namespace: string; name: string },
  info: CustomMetricInfo,
  metricSelector: Selector,
  ctx: QueryContext,
): Promise<MetricValue[]> {
  const metrics = new Set<string>();
  for (const served of custom.listAllMetrics()) {
    if (
      served.groupResource.group === info.groupResource.group &&
      served.groupResource.resource === info.groupResource.resource
    )
      metrics.add(served.metric);
  }
  const answers = await Promise.all(
    [...metrics].sort().map(async (metric) => {
      try {
        return await custom.getMetricByName(name, { ...info, metric }, metricSelector, ctx);
      } catch (error) {
        if (error instanceof StatusError && error.code === 404) return undefined;
        throw error;
      }
    }),
  );
  const values = answers.filter((value): value is MetricValue => value !== undefined);
  if (values.length === 0) throw noMetricsFor(info.groupResource, name.name);
  return values;
}

/**
 * Encoded discovery documents, reused while the provider returns the same list instance: the
 * aggregator probes `/apis/{group}/{version}` every 30 s and must get an answer within 5 s even with 100k metrics.
 */
function createDiscoveryCache() {
  const cache = new Map<string, { list: readonly unknown[]; body: Buffer }>();
  return {
    get<T>(groupVersion: string, list: readonly T[], encode: (gv: string, list: readonly T[]) => string): Buffer {
      const hit = cache.get(groupVersion);
      if (hit !== undefined && hit.list === list) return hit.body;
      const body = Buffer.from(encode(groupVersion, list));
      cache.set(groupVersion, { list, body });
      return body;
    },
  };
}
