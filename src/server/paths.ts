/**
 * Turns request paths into what they ask for: the custom metrics forms A-E of spec §1.2, the
 * external form of §2.1, discovery documents, and the write API's forms. Segments are
 * percent-decoded one by one, so `%2A` (what client-go sends) and a literal `*` both mean "every object".
 * @module
 */
import { badRequest, invalidRequestPath, routeNotFound } from '../api/errors.js';

/** The path split at `/` and percent-decoded; a malformed escape is the caller's mistake (400). */
export function splitPath(path: string): string[] {
  const raw = path.split('/');
  // Stryker disable next-line ArrayDeclaration: equivalent, the size is only preallocation; the loop sets every index.
  const segments: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const segment = raw[i]!;
    // NB: the hot path skips decodeURIComponent, which leaves a segment without `%` as it is.
    // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: equivalent, decoding such a segment gives the same string.
    if (segment.indexOf('%') < 0) {
      segments[i] = segment;
      continue;
    }
    try {
      segments[i] = decodeURIComponent(segment);
    } catch {
      throw badRequest(`invalid request path: malformed percent-encoding in segment "${segment}"`);
    }
  }
  return segments;
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
  readonly metric: string;
}

/**
 * Parses the segments after `/apis/custom.metrics.k8s.io/{version}/`.
 * NB: mirrors CMAS installer/cmhandlers.go routes and handlers/get.go: form E becomes
 * `namespaces/{ns}` cluster-scoped with the metric as subresource; a 3-segment path under
 * `namespaces/` is 400 "invalid request path"; anything else unmatched is 404.
 */
export function parseCustomPath(segments: readonly string[]): CustomPath {
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

/** Parses the segments after `/apis/external.metrics.k8s.io/v1beta1/`: only `namespaces/{ns}/{metric}`. */
export function parseExternalPath(segments: readonly string[]): { readonly namespace: string; readonly metric: string } {
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
export function parseExternalWritePath(segments: readonly string[]): { readonly namespace: string | null; readonly metric: string } {
  if (segments.some((s) => s === '')) throw routeNotFound();
  if (segments.length === 1) return { namespace: null, metric: segments[0]! };
  if (segments.length === 3 && segments[0] === 'namespaces') return { namespace: segments[1]!, metric: segments[2]! };
  throw routeNotFound();
}
