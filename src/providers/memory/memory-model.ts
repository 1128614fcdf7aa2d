/**
 * The memory back end's read model as a unit: the custom and external stores, one interner and the TTL sweeper.
 * The memory back end serves one; the Redis back end keeps one per replica, fed from Redis, and swaps in a fresh
 * one when it resyncs.
 * @module
 */
import type { ObjectLister } from '../../kube/object-lister.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { Logger } from '../../log/index.js';
import type {
  CustomMetricWrite,
  ExternalMetricWrite,
  ResourceUsageWrite,
  SeriesRemoval,
  WriteBatch,
} from '../write.js';
import { CustomStore } from './custom-store.js';
import { ExternalStore } from './external-store.js';
import { Interner } from './intern.js';
import { ResourceStore } from './resource-store.js';

export interface MemoryModelOptions {
  readonly mapper: ResourceMapper;
  readonly logger: Logger;
  /** Values older than this are not served and are swept; 0 keeps them forever. */
  readonly ttlMs: number;
  /** The cluster's objects, answering label selectors instead of written `objectLabels`. */
  readonly objects?: ObjectLister;
}

export interface MemoryModel {
  readonly custom: CustomStore;
  readonly external: ExternalStore;
  /** CPU and memory usage of nodes and pod containers (`metrics.k8s.io`). */
  readonly resource: ResourceStore;
  writeResource(write: ResourceUsageWrite): void;
  writeCustom(write: CustomMetricWrite): void;
  writeExternal(write: ExternalMetricWrite): void;
  writeBatch(batch: WriteBatch): void;
  removeSeries(removals: readonly SeriesRemoval[]): void;
  seriesCount(): { readonly custom: number; readonly external: number };
  /** Stops the sweeper; the stores still answer. */
  close(): void;
}

export function createMemoryModel(options: MemoryModelOptions): MemoryModel {
  const { ttlMs, logger } = options;
  const interner = new Interner();
  const custom = new CustomStore({
    mapper: options.mapper,
    interner,
    ttlMs,
    ...(options.objects ? { objects: options.objects } : {}),
  });
  const external = new ExternalStore({ interner, ttlMs });
  const resource = new ResourceStore({ ttlMs, ...(options.objects ? { objects: options.objects } : {}) });
  let sweeper: NodeJS.Timeout | undefined;
  if (ttlMs > 0) {
    const every = Math.min(Math.max(ttlMs / 2, 1000), 30_000);
    sweeper = setInterval(() => {
      const dropped = custom.sweep() + external.sweep() + resource.sweep();
      if (dropped > 0) logger.debug({ dropped }, 'dropped values older than the metric TTL');
    }, every);
    sweeper.unref();
  }
  return {
    custom,
    external,
    resource,
    writeResource: (write) => resource.write(write),
    writeCustom: (write) => custom.write(write),
    writeExternal: (write) => external.write(write),
    writeBatch(batch) {
      for (const write of batch.custom) custom.write(write);
      for (const write of batch.external) external.write(write);
    },
    removeSeries(removals) {
      for (const removal of removals) {
        if (removal.kind === 'custom') custom.remove(removal.info, removal.name);
        else external.remove(removal.namespace, removal.metric, removal.labels);
      }
    },
    seriesCount: () => ({ custom: custom.seriesCount, external: external.seriesCount }),
    close() {
      if (sweeper !== undefined) clearInterval(sweeper);
      sweeper = undefined;
    },
  };
}
