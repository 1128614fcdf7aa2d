/**
 * The RESTMapper seam: turns what a user writes in a path (`pods`, `pod`, `Pod`, `po`, `deployments`,
 * `deployments.apps`) into a GroupResource, and a GroupResource into the kind/apiVersion that
 * `describedObject` carries. The static mapper below serves the no-cluster mode; a cluster-backed
 * mapper built from discovery replaces it when a cluster is connected.
 * @module
 */
import type { GroupResource } from '../api/types.js';

export interface ResourceKind {
  readonly kind: string;
  readonly apiVersion: string;
  /** undefined when the mapper does not know the resource. */
  readonly namespaced: boolean | undefined;
}

export interface ResourceMapper {
  /**
   * Normalizes a path's resource segment. Known plural, singular, Kind and short names map to the
   * plural, group-qualified resource; anything else is split at the first `.` like Go's
   * `schema.ParseGroupResource` and passed through unchanged.
   */
  resourceFor(text: string): GroupResource;
  /** kind and apiVersion for `describedObject`, and whether the resource is namespaced if known. */
  kindFor(gr: GroupResource): ResourceKind;
}

/** Go `schema.ParseGroupResource`: resource before the first `.`, group after it. */
export function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf('.');
  return dot < 0 ? { group: '', resource: text } : { group: text.slice(dot + 1), resource: text.slice(0, dot) };
}
