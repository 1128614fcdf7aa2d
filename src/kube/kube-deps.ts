/**
 * What a connected cluster gives the back ends: the discovery RESTMapper and the informer ObjectLister,
 * from `--kubeconfig` or the in-cluster ServiceAccount; without either, the static mapper and no lister,
 * so the objectLabels given on writes answer label selectors (standalone mode).
 * @module
 */
import type { Logger } from '../log/index.js';
import { loadKubeClient, type KubeClient } from './kube-client.js';
import type { ObjectLister } from './object-lister.js';
import type { ResourceMapper } from './resource-mapper.js';
import { createStaticResourceMapper } from './static-resource-mapper.js';

export interface KubeDeps {
  readonly resourceMapper: ResourceMapper;
  /** undefined when standalone. */
  readonly objectLister?: ObjectLister;
  /** kube-apiserver's URL, or undefined when standalone. */
  readonly server?: string;
  /** The connection, for watchers beyond the object lister (MetricQuery objects); undefined when standalone. */
  readonly client?: KubeClient;
  close(): Promise<void>;
}

export interface KubeDepsOptions {
  readonly logger: Logger;
  /** `--kubeconfig`; without it the in-cluster ServiceAccount when running in a pod. */
  readonly kubeconfig?: string;
  /** For tests: overrides the in-cluster check. */
  readonly inCluster?: boolean;
  /** An informer unused this long is stopped; default 15 minutes, 0 never. */
  readonly informerIdleMs?: number;
  /** How often discovery is read again; default 10 minutes. */
  readonly discoveryRefreshMs?: number;
}

/** Connects to the cluster when configured; throws KubeApiError when the kubeconfig cannot be used. */
export async function createKubeDeps(options: KubeDepsOptions): Promise<KubeDeps> {
  const client = await loadKubeClient({
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.inCluster !== undefined ? { inCluster: options.inCluster } : {}),
  });
  if (client === undefined) return { resourceMapper: createStaticResourceMapper(), close: async () => {} };
  const { createDiscoveryResourceMapper } = await import('./discovery-resource-mapper.js');
  const { createInformerObjectLister } = await import('./informer-lister.js');
  const logger = options.logger;
  const mapper = await createDiscoveryResourceMapper({
    client,
    logger,
    ...(options.discoveryRefreshMs !== undefined ? { refreshMs: options.discoveryRefreshMs } : {}),
  });
  const objectLister = createInformerObjectLister({
    client,
    mapper,
    logger,
    ...(options.informerIdleMs !== undefined ? { idleMs: options.informerIdleMs } : {}),
  });
  logger.info(
    { server: client.server, discovered: mapper.loaded },
    `object lister and resource mapper use the cluster at ${client.server}`,
  );
  return {
    resourceMapper: mapper,
    objectLister,
    server: client.server,
    client,
    async close() {
      mapper.close();
      await objectLister.close();
    },
  };
}
