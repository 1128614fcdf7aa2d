/**
 * createAdapter(): the library's single entry point, the counterpart of CMAS's AdapterBase. Give it
 * providers; it serves only the API groups it has a provider for, with discovery, health,
 * self-metrics and the write API when a writer is given.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { RequestGuard } from './auth/index.js';
import { createStaticResourceMapper } from './kube/static-resource-mapper.js';
import type { ResourceMapper } from './kube/resource-mapper.js';
import { createSilentLogger, type Logger } from './log/index.js';
import type { MetricsWriter, Readiness } from './providers/backend.js';
import type { CustomMetricsProvider, ExternalMetricsProvider } from './providers/provider.js';
import { createServer } from './server/index.js';

export interface AdapterOptions {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  readonly writer?: MetricsWriter;
  readonly readiness?: () => Readiness;
  readonly seriesCount?: () => { readonly custom: number; readonly external: number };
  /** Maps resources to kinds; the built-in table of Kubernetes resources when omitted. */
  readonly resourceMapper?: ResourceMapper;
  readonly logger?: Logger;
  readonly verbosity?: number;
  /** PEM key and certificate. Without them the adapter speaks plain HTTP (for tests and TLS-terminating proxies). */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly guard?: RequestGuard;
}

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
}

export interface Adapter {
  /** The fastify instance, for `inject()` in tests and extra routes. */
  readonly server: FastifyInstance;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(options: ListenOptions): Promise<AddressInfo>;
  close(): Promise<void>;
}

export function createAdapter(options: AdapterOptions): Adapter {
  if (!options.custom && !options.external) {
    throw new TypeError('createAdapter needs a custom or an external metrics provider');
  }
  const server = createServer({
    ...options,
    resourceMapper: options.resourceMapper ?? createStaticResourceMapper(),
    logger: options.logger ?? createSilentLogger(),
  });
  return {
    server,
    async listen({ port, host }) {
      await server.listen({ port, host });
      return server.server.address() as AddressInfo;
    },
    close: () => server.close(),
  };
}
