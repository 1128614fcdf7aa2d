/**
 * The in-memory back end: values written over the write API, held in this process. The default
 * back end of `metrics-adapter serve`; one replica only (use the Redis back end for several).
 * @module
 */
import { z } from 'zod';
import { parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import { CustomStore } from './custom-store.js';
import { ExternalStore } from './external-store.js';
import { Interner } from './intern.js';

const durationString = z.string().refine(
  (text) => {
    try {
      parseDuration(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a duration such as 30s, 10m or 1h' },
);

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
    const interner = new Interner();
    const custom = new CustomStore({ mapper: deps.resourceMapper, interner, ttlMs, ...(deps.objectLister ? { objects: deps.objectLister } : {}) });
    const external = new ExternalStore({ interner, ttlMs });
    let sweeper: NodeJS.Timeout | undefined;
    if (ttlMs > 0) {
      const every = Math.min(Math.max(ttlMs / 2, 1000), 30_000);
      sweeper = setInterval(() => {
        const dropped = custom.sweep() + external.sweep();
        if (dropped > 0) deps.logger.debug({ dropped }, 'dropped values older than the metric TTL');
      }, every);
      sweeper.unref();
    }
    return {
      custom,
      external,
      writer: {
        writeCustomMetric: (write) => custom.write(write),
        writeExternalMetric: (write) => external.write(write),
      },
      readiness: () => ({ ready: true }),
      seriesCount: () => ({ custom: custom.seriesCount, external: external.seriesCount }),
      async close() {
        if (sweeper !== undefined) clearInterval(sweeper);
      },
    };
  },
};

export default memoryBackend;
