/**
 * Turns request paths into what they ask for: the custom metrics forms A-E of spec §1.2, the
 * external form of §2.1, discovery documents, and the write API's forms. The path is percent-decoded
 * before it is split, as Go's server does, so `%2A` (what client-go sends) and a literal `*` both mean
 * "every object", and `%2F` separates segments.
 * @module
 */
import { badRequest, invalidRequestPath, routeNotFound } from '../api/errors.js';

/**
 * The path percent-decoded, then split at `/`. NB: Go's net/http decodes the whole path before
 * routing (url.URL.Path), so an escaped `/` inside a segment separates segments there too: the Python
 * client and client-node's CustomObjectsApi send plural `pods/*\/m` as `pods%2F%2A%2Fm` (spec §9.3).
 * A malformed escape is the caller's mistake (400).
 */
export function splitPath(path: string): string[] {
  // NB: the hot path skips decodeURIComponent, which leaves a path without `%` as it is.
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: equivalent, decoding such a path
  // gives the same string.
  if (path.indexOf('%') < 0) return path.split('/');
  try {
    return decodeURIComponent(path).split('/');
  } catch {
    // NB: the same wording as an undecodable URL at the front door.
    throw badRequest(`invalid request path: '${path}' is not a valid url component`);
  }
}

/** The path and query of a raw request URL. */
export function splitUrl(url: string): { readonly path: string; readonly query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** A custom metrics data request, before the resource is normalized. */
export interface CustomPath {
  /** '' for cluster-scoped objects and for form E. */
  readonly namespace: string;
  readonly resource: string;
  /** `*` for the selector forms B and D. */
  readonly name: string;
  /** '' for the per-object list: every metric of the object. */
  readonly metric: string;
}

/**
 * Parses the segments after `/apis/custom.metrics.k8s.io/{version}/`.
 * NB: mirrors CMAS installer/cmhandlers.go routes and handlers/get.go: form E becomes
 * `namespaces/{ns}` cluster-scoped with the metric as subresource; a 3-segment path under
 * `namespaces/` is 400 "invalid request path"; anything else unmatched is 404.
 */
export function parseCustomPath(segments: readonly string[]): CustomPath {
  const object = parseObjectMetricsPath(segments);
  if (object !== undefined) return object;
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments[0] === 'namespaces') {
    const namespace = segments[1]!;
    if (segments.length === 3) throw invalidRequestPath();
    if (segments.length === 4 && segments[2] === 'metrics') {
      if (namespace === '*') throw badRequest('metrics for multiple namespaces at once are not supported');
      return { namespace: '', resource: 'namespaces', name: namespace, metric: segments[3]! };
    }
    if (segments.length === 5) {
      if (namespace === '*') throw badRequest('metrics for multiple namespaces at once are not supported');
      return { namespace, resource: segments[2]!, name: segments[3]!, metric: segments[4]! };
    }
    throw routeNotFound();
  }
  if (segments.length === 3) return { namespace: '', resource: segments[0]!, name: segments[1]!, metric: segments[2]! };
  throw routeNotFound();
}

/**
 * The per-object list (an extension, docs/api-compatibility.md): `namespaces/{ns}/{resource}/{name}/`
 * and `{resource}/{name}/` (a trailing slash where the metric would be) ask for every metric of one
 * object; `metric` is then ''. `namespaces/{ns}/metrics/` is the namespace's own metrics, as form E.
 */
function parseObjectMetricsPath(segments: readonly string[]): CustomPath | undefined {
  const n = segments.length;
  // NB: n < 3 is only a shortcut, no branch below returns for fewer than three segments; hence the mark (the other
  // conditions of this line are killed when it is lifted).
  // Stryker disable next-line ConditionalExpression: equivalent, see above.
  if (n < 3 || segments[n - 1] !== '' || segments.slice(0, -1).some((s) => s === '' || s === '*')) return undefined;
  if (segments[0] === 'namespaces') {
    if (n === 5) return { namespace: segments[1]!, resource: segments[2]!, name: segments[3]!, metric: '' };
    if (n === 4 && segments[2] === 'metrics')
      return { namespace: '', resource: 'namespaces', name: segments[1]!, metric: '' };
    if (n === 3) return { namespace: '', resource: 'namespaces', name: segments[1]!, metric: '' };
    return undefined;
  }
  return n === 3 ? { namespace: '', resource: segments[0]!, name: segments[1]!, metric: '' } : undefined;
}

/** Parses the segments after `/apis/external.metrics.k8s.io/v1beta1/`: only `namespaces/{ns}/{metric}`. */
export function parseExternalPath(segments: readonly string[]): {
  readonly namespace: string;
  readonly metric: string;
} {
  if (segments.length !== 3 || segments[0] !== 'namespaces' || segments[1] === '' || segments[2] === '') {
    throw routeNotFound();
  }
  return { namespace: segments[1]!, metric: segments[2]! };
}

/** A custom metric write path, after `/write-metrics/`. */
export function parseCustomWritePath(segments: readonly string[]): CustomPath {
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments[0] === 'namespaces' && segments.length === 4 && segments[2] === 'metrics') {
    return { namespace: '', resource: 'namespaces', name: segments[1]!, metric: segments[3]! };
  }
  if (segments[0] === 'namespaces' && segments.length === 5) {
    return { namespace: segments[1]!, resource: segments[2]!, name: segments[3]!, metric: segments[4]! };
  }
  if (segments.length === 3) return { namespace: '', resource: segments[0]!, name: segments[1]!, metric: segments[2]! };
  throw routeNotFound();
}

/** An external metric write path, after `/write-external-metrics/`: `namespaces/{ns}/{metric}` or `{metric}`. */
export function parseExternalWritePath(segments: readonly string[]): {
  readonly namespace: string | null;
  readonly metric: string;
} {
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments.length === 1) return { namespace: null, metric: segments[0]! };
  if (segments.length === 3 && segments[0] === 'namespaces') return { namespace: segments[1]!, metric: segments[2]! };
  throw routeNotFound();
}
