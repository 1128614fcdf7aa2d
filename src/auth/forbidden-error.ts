/**
 * The 403 a denied request gets, worded exactly as the apiserver words it (spec §4):
 * responsewriters.forbiddenMessage wrapped by apierrors.NewForbidden.
 * @module
 */
import { StatusError } from '../api/errors.js';
import type { RequestAttributes } from './request-attributes.js';

export function forbidden(user: string, attributes: RequestAttributes, reason: string): StatusError {
  const suffix = reason === '' ? '' : `: ${reason}`;
  if (!attributes.resourceRequest) {
    const { verb, path } = attributes.nonResource;
    return new StatusError(
      403,
      'Forbidden',
      `forbidden: User ${goQuote(user)} cannot ${verb} path ${goQuote(path)}${suffix}`,
      {},
    );
  }
  const a = attributes.resource;
  const resource = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`;
  const scope = a.namespace === '' ? 'at the cluster scope' : `in the namespace ${goQuote(a.namespace)}`;
  const message = `User ${goQuote(user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${goQuote(a.group)} ${scope}${suffix}`;
  // NB: schema.GroupResource.String(): "resource.group", or "resource" for the core group.
  const groupResource = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const prefix = a.name === '' ? `${groupResource} is forbidden` : `${groupResource} ${goQuote(a.name)} is forbidden`;
  return new StatusError(403, 'Forbidden', `${prefix}: ${message}`, {
    ...(a.name === '' ? {} : { name: a.name }),
    ...(a.group === '' ? {} : { group: a.group }),
    ...(a.resource === '' ? {} : { kind: a.resource }),
  });
}

/** Go's %q for the printable strings that reach here: JSON escaping matches it for those. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}
