/**
 * The ObjectLister seam: which objects of a resource exist in a namespace and match a label selector.
 * With a cluster connected it is answered from a watch cache (`createInformerObjectLister`); without
 * one, back ends fall back to the `objectLabels` given on writes.
 * @module
 */
import type { Labels } from '../api/types.js';
import type { GroupResource } from '../api/types.js';
import type { Selector } from '../selector/index.js';

/** Names of the matching objects; a back end walks whichever is smaller, this or its own values. */
export interface ObjectMatches {
  readonly size: number;
  has(name: string): boolean;
  [Symbol.iterator](): Iterator<string>;
}

/** An object of the cluster as the resource metrics API needs it. `namespace` is '' for cluster-scoped objects. */
export interface ListedObject {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
}

export interface ObjectLister {
  /**
   * The objects of `gr` in `namespace` ('' for cluster-scoped resources) that `selector` matches.
   * Resolves with undefined when the cluster does not serve `gr` (the caller then uses what it knows
   * itself). The first call for a resource starts its informer and waits for the first list; later
   * calls are answered from the cache without an API call. Rejects with a StatusError 503 when the
   * cache cannot be filled (list forbidden, API server unreachable) or `signal` aborts.
   */
  matching(
    gr: GroupResource,
    namespace: string,
    selector: Selector,
    signal?: AbortSignal,
  ): Promise<ObjectMatches | undefined>;
  /**
   * The objects of `gr` that `selector` matches with their labels, in `namespace`, or in every namespace when
   * `namespace` is null; as `matching` otherwise (undefined when the cluster does not serve `gr`). The resource
   * metrics API puts these labels in its answers, as metrics-server does.
   */
  listObjects?(
    gr: GroupResource,
    namespace: string | null,
    selector: Selector,
    signal?: AbortSignal,
  ): Promise<readonly ListedObject[] | undefined>;
  /** Stops every informer. */
  close(): Promise<void>;
}
