/**
 * What a request asks to do, in SubjectAccessReview terms (spec §7.5): a resource request for the
 * metrics API groups, a non-resource path otherwise.
 * NB: mirrors apiserver endpoints/request/requestinfo.go; the write API is authorized as its own
 * non-resource paths with verb `create` (issue 5), which a ClusterRole grants with nonResourceURLs.
 * @module
 */
import type { UserInfo } from './user-info.js';

export interface ResourceAttributes {
  readonly namespace: string;
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

export interface NonResourceAttributes {
  /** Decoded path. */
  readonly path: string;
  readonly verb: string;
}

export type RequestAttributes =
  | { readonly resourceRequest: true; readonly resource: ResourceAttributes }
  | { readonly resourceRequest: false; readonly nonResource: NonResourceAttributes };

export interface AuthorizationRequest {
  readonly user: UserInfo;
  readonly attributes: RequestAttributes;
}

const writePrefixes = ['/write-metrics/', '/write-external-metrics/'];
const methodVerbs: Readonly<Record<string, string>> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};
const namespaceSubresources = new Set(['status', 'finalize']);

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isWatch(query: string): boolean {
  const value = new URLSearchParams(query).get('watch');
  return value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** `url` is the raw request target (path and query). */
export function requestAttributes(method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const segments = rawPath.split('/').map(decode);
  const path = segments.join('/');
  if (method === 'POST' && writePrefixes.some((prefix) => path.startsWith(prefix))) {
    return { resourceRequest: false, nonResource: { path, verb: 'create' } };
  }
  const methodVerb = methodVerbs[method];
  // NB: requestinfo.go splitPath trims the slashes at both ends; fewer than three parts after
  // `apis` (group, version, resource) is discovery, a non-resource path.
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  if (methodVerb === undefined || parts[0] !== 'apis' || parts.length < 4) {
    return { resourceRequest: false, nonResource: { path, verb: method.toLowerCase() } };
  }
  const group = parts[1]!;
  const version = parts[2]!;
  let rest = parts.slice(3);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !namespaceSubresources.has(rest[2]!)) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  let verb = methodVerb;
  if (verb === 'get' && name === '') verb = isWatch(query) ? 'watch' : 'list';
  return { resourceRequest: true, resource: { namespace, verb, group, version, resource, subresource, name } };
}
