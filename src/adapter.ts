/**
 * createAdapter(): the library's single entry point, the counterpart of CMAS's AdapterBase. Give it
 * providers; it serves only the API groups it has a provider for, with discovery, health,
 * self-metrics and the write API when a writer is given.
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createStaticResourceMapper } from './kube/static-resource-mapper.js';
import type { ResourceMapper } from './kube/resource-mapper.js';
import { createSilentLogger, type Logger } from './log/index.js';
import { createServer, type ServerOptions } from './server/index.js';

/**
 * The server's options, with the resource mapper (the built-in table of Kubernetes resources) and the
 * logger (silent) optional. Without `tls` the adapter speaks plain HTTP, for tests and TLS-terminating proxies.
 */
export type AdapterOptions = Omit<ServerOptions, 'resourceMapper' | 'logger'> & {
  readonly resourceMapper?: ResourceMapper;
  readonly logger?: Logger;
};

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
