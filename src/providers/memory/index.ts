/**
 * The in-memory back end: values written over the write API, held in this process. The default
 * back end of `metrics-adapter serve`; one replica only (use the Redis back end for several).
 * @module
 */
import { z } from 'zod';
import { durationString, parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import { createMemoryModel } from './memory-model.js';

const configSchema = z
  .object({
    /** Drop values not written for this long (Go duration); `0` keeps them forever. */
    metricTTL: durationString.optional(),
  })
  .strict();

export type MemoryBackendConfig = z.infer<typeof configSchema>;

const memoryBackend: BackendFactory<MemoryBackendConfig> = {
  name: 'memory',
  description: 'values written over the write API, held in memory (one replica)',
  configSchema,
  async create(config, flags, deps): Promise<Backend> {
    const ttlMs = flags.metricTtlMs ?? (config.metricTTL === undefined ? 0 : parseDuration(config.metricTTL));
    const model = createMemoryModel({
      mapper: deps.resourceMapper,
      logger: deps.logger,
      ttlMs,
      ...(deps.objectLister ? { objects: deps.objectLister } : {}),
    });
    return {
      custom: model.custom,
      external: model.external,
      resource: model.resource,
      writer: {
        writeCustomMetric: model.writeCustom,
        writeExternalMetric: model.writeExternal,
        writeResourceUsage: model.writeResource,
        writeBatch: model.writeBatch,
        removeSeries: model.removeSeries,
      },
      readiness: () => ({ ready: true }),
      seriesCount: model.seriesCount,
      async close() {
        model.close();
      },
    };
  },
};

export default memoryBackend;
