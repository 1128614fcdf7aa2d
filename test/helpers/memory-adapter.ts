/**
 * Test support: an adapter on the real memory back end, answering through inject() (the same front door as a socket).
 * @module
 */
import { createAdapter, type Adapter, type AdapterOptions } from '../../src/adapter.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import memoryBackend from '../../src/providers/memory/index.js';

/** `extra` adds adapter options such as `guard` and `tls`. */
export async function createMemoryAdapter(
  config: { metricTTL?: string } = {},
  extra: Partial<AdapterOptions> = {},
): Promise<
  Adapter & {
    post(path: string, body: string, contentType?: string): Promise<{ statusCode: number; body: string }>;
    get(
      path: string,
      headers?: Record<string, string>,
    ): Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;
  }
> {
  const resourceMapper = createStaticResourceMapper();
  const backend = await memoryBackend.create(config, {}, { logger: createSilentLogger(), resourceMapper });
  const adapter = createAdapter({
    custom: backend.custom!,
    external: backend.external!,
    writer: backend.writer!,
    readiness: () => backend.readiness(),
    seriesCount: () => backend.seriesCount!(),
    resourceMapper,
    ...extra,
  });
  return {
    ...adapter,
    async post(path, body, contentType = 'application/json') {
      const res = await adapter.server.inject({
        method: 'POST',
        url: path,
        payload: body,
        headers: { 'content-type': contentType },
      });
      return { statusCode: res.statusCode, body: res.body };
    },
    async get(path, headers = {}) {
      const res = await adapter.server.inject({ method: 'GET', url: path, headers });
      return { statusCode: res.statusCode, body: res.body, headers: res.headers };
    },
  };
}
