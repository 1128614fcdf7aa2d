/**
 * Discovery documents: APIResourceList for `/apis/{group}/{version}` (spec §3.2), APIGroup and
 * APIGroupList for direct use without an aggregator (§3.1).
 * @module
 */
import { goJson } from './json.js';
import type { APIGroup, APIGroupList, APIResource, APIResourceList, GroupVersionForDiscovery } from './types.js';

/** A custom metric as discovery lists it: `{gr}/{metric}`. */
export interface CustomResourceSource {
  readonly groupResource: { readonly group: string; readonly resource: string };
  readonly namespaced: boolean;
  readonly metric: string;
}

/**
 * NB: CMAS provider/defaults returns these placeholders when nothing is listed: client-go ≥0.26
 * reports "Got empty response" on every kubectl call for an empty resources list (spec §3.2).
 */
const customPlaceholder: APIResource = {
  name: 'custommetrics',
  singularName: '',
  namespaced: false,
  kind: 'MetricValueList',
  verbs: ['get'],
};
const externalPlaceholder: APIResource = {
  name: 'externalmetrics',
  singularName: '',
  namespaced: true,
  kind: 'ExternalMetricValueList',
  verbs: ['get'],
};

/** The custom metrics APIResourceList (CMAS provider/resource_lister.go), never with an empty `resources`. */
export function encodeCustomResourceList(groupVersion: string, metrics: readonly CustomResourceSource[]): string {
  const seen = new Set<string>();
  const resources: APIResource[] = [];
  for (const m of metrics) {
    const gr =
      m.groupResource.group === '' ? m.groupResource.resource : `${m.groupResource.resource}.${m.groupResource.group}`;
    const name = `${gr}/${m.metric}`;
    if (seen.has(name)) continue;
    seen.add(name);
    resources.push({ name, singularName: '', namespaced: m.namespaced, kind: 'MetricValueList', verbs: ['get'] });
  }
  return resourceList(groupVersion, resources.length > 0 ? resources : [customPlaceholder]);
}

/** The external metrics APIResourceList: one namespaced entry per metric name. */
export function encodeExternalResourceList(
  groupVersion: string,
  metrics: readonly { readonly metric: string }[],
): string {
  const names = new Set<string>();
  for (const m of metrics) names.add(m.metric);
  const resources: APIResource[] = [...names].map((name) => ({
    name,
    singularName: '',
    namespaced: true,
    kind: 'ExternalMetricValueList',
    verbs: ['get'],
  }));
  return resourceList(groupVersion, resources.length > 0 ? resources : [externalPlaceholder]);
}

function resourceList(groupVersion: string, resources: readonly APIResource[]): string {
  const list: APIResourceList = { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
  return goJson(list);
}

/** A served group with its versions, preferred first. */
export interface ServedGroup {
  readonly name: string;
  readonly versions: readonly string[];
}

function groupBody(group: ServedGroup): Omit<APIGroup, 'kind' | 'apiVersion'> {
  const versions: GroupVersionForDiscovery[] = group.versions.map((v) => ({
    groupVersion: `${group.name}/${v}`,
    version: v,
  }));
  return { name: group.name, versions, preferredVersion: versions[0]! };
}

export function encodeAPIGroup(group: ServedGroup): string {
  const body: APIGroup = { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(group) };
  return goJson(body);
}

export function encodeAPIGroupList(groups: readonly ServedGroup[]): string {
  const body: APIGroupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupBody) };
  return goJson(body);
}
