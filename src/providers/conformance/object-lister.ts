/**
 * The fixture's objects as a connected cluster lists them (the ObjectLister an informer cache gives a back end), with
 * objects that have no value besides: a back end must answer `*` with the listed objects that have a value, and only
 * those (BackendDeps.objectLister).
 * @module
 */
import { StatusError } from '../../api/errors.js';
import type { Labels } from '../../api/types.js';
import type { ObjectLister, ObjectMatches } from '../../kube/object-lister.js';
import type { Fixture } from './fixture.js';
import { namespace, nodes, pods } from './fixture.js';

interface ListedObject {
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
}

/** Objects the cluster has that the fixture gives no value: they match selectors but must never be answered. */
const withoutValues: readonly ListedObject[] = [
  { resource: pods.groupResource.resource, namespace, name: 'web-3', labels: { app: 'web', tier: 'front' } },
  { resource: nodes.groupResource.resource, namespace: '', name: 'node-3', labels: { zone: 'a' } },
];

export function fixtureObjectLister(fixture: Fixture): ObjectLister {
  const objects: readonly ListedObject[] = [
    ...fixture.custom.map((o) => ({
      resource: o.info.groupResource.resource,
      namespace: o.name.namespace,
      name: o.name.name,
      labels: o.objectLabels,
    })),
    ...withoutValues,
  ];
  const served = new Set(objects.map((o) => o.resource));
  return {
    async matching(gr, ns, selector, signal) {
      if (signal?.aborted === true)
        throw new StatusError(503, 'ServiceUnavailable', 'the request was aborted', undefined, {
          cause: signal.reason,
        });
      if (gr.group !== '' || !served.has(gr.resource)) return undefined;
      const names = new Set(
        objects
          .filter((o) => o.resource === gr.resource && o.namespace === ns && selector.matches(o.labels))
          .map((o) => o.name),
      );
      const matches: ObjectMatches = {
        size: names.size,
        has: (name) => names.has(name),
        [Symbol.iterator]: () => names[Symbol.iterator](),
      };
      return matches;
    },
    async close() {},
  };
}
