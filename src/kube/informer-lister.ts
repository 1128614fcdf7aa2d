/**
 * The ObjectLister backed by informers: one ResourceInformer per group-resource, started on the first
 * query that needs it and stopped after it has gone unused for the idle time. Unlike the reference
 * adapter's uncached, rate-limited lister, a query after the first costs no API call.
 * @module
 */
import { serviceUnavailable, groupResourceString } from '../api/errors.js';
import type { Logger } from '../log/index.js';
import type { GroupResource } from '../api/types.js';
import type { DiscoveryResourceMapper } from './discovery-resource-mapper.js';
import type { KubeClient } from './kube-client.js';
import type { ObjectLister } from './object-lister.js';
import { ResourceInformer } from './resource-informer.js';

export interface InformerObjectListerOptions {
  readonly client: KubeClient;
  readonly mapper: Pick<DiscoveryResourceMapper, 'locate'>;
  readonly logger: Logger;
  /** An informer unused for this long is stopped (its next use lists again); default 15 minutes, 0 never. */
  readonly idleMs?: number;
  /** How long a query waits for an informer's first list; default 10 s. */
  readonly syncTimeoutMs?: number;
}

export function createInformerObjectLister(options: InformerObjectListerOptions): ObjectLister {
  const { client, mapper, logger } = options;
  const idleMs = options.idleMs ?? 15 * 60_000;
  const syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
  const informers = new Map<string, ResourceInformer>();

  let sweeper: NodeJS.Timeout | undefined;
  if (idleMs > 0) {
    sweeper = setInterval(
      () => {
        const oldest = Date.now() - idleMs;
        for (const [key, informer] of informers) {
          if (informer.lastUsed >= oldest) continue;
          informer.stop();
          informers.delete(key);
          logger.debug({ resource: key }, 'stopped an idle informer');
        }
      },
      Math.min(Math.max(idleMs / 2, 1000), 60_000),
    );
    sweeper.unref();
  }

  const informerFor = (gr: GroupResource): ResourceInformer | undefined => {
    const key = groupResourceString(gr);
    let informer = informers.get(key);
    if (informer === undefined) {
      const location = mapper.locate(gr);
      if (location === undefined || !location.verbs.includes('list') || !location.verbs.includes('watch'))
        return undefined;
      informer = new ResourceInformer(client, location, logger);
      informers.set(key, informer);
      informer.start();
      logger.debug({ resource: key }, 'started an informer');
    }
    return informer;
  };

  return {
    async matching(gr, namespace, selector, signal) {
      const informer = informerFor(gr);
      if (informer === undefined) return undefined;
      try {
        await informer.whenSynced(syncTimeoutMs, signal);
      } catch (error) {
        throw serviceUnavailable(
          `the object cache for ${groupResourceString(gr)} is not ready; see the adapter's log`,
          error,
        );
      }
      return informer.matching(namespace, selector);
    },
    async listObjects(gr, namespace, selector, signal) {
      const informer = informerFor(gr);
      if (informer === undefined) return undefined;
      try {
        await informer.whenSynced(syncTimeoutMs, signal);
      } catch (error) {
        throw serviceUnavailable(
          `the object cache for ${groupResourceString(gr)} is not ready; see the adapter's log`,
          error,
        );
      }
      return informer.listObjects(namespace, selector);
    },
    async close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      for (const informer of informers.values()) informer.stop();
      informers.clear();
    },
  };
}
