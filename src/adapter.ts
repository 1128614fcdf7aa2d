/**
 * createAdapter(): the library's single entry point, the counterpart of CMAS's AdapterBase. Give it
 * providers, or add metric functions with `addMetric`; it serves only the API groups it has a provider for,
 * with discovery, health, self-metrics and the write API when a writer is given. `run()` takes the
 * standard flags and TLS, like `metrics-adapter serve`.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { createStaticResourceMapper } from './kube/static-resource-mapper.js';
import type { ResourceMapper } from './kube/resource-mapper.js';
import { createSilentLogger, type Logger } from './log/index.js';
import {
  createFunctionProvider,
  type AddMetricOptions,
  type FunctionProviderOptions,
  type MetricFunction,
  type MetricHandle,
} from './providers/function/index.js';
import { createServer, type MetricsServer, type ServerOptions } from './server/index.js';
import type { RunningAdapter } from './serving/serve-setup.js';

export type { RunningAdapter };

/**
 * The server's options, with the resource mapper (the built-in table of Kubernetes resources) and the
 * logger (silent) optional. Without `tls` the adapter speaks plain HTTP, for tests and TLS-terminating proxies;
 * `run()` sets TLS and the logger from its flags.
 */
export type AdapterOptions = Omit<ServerOptions, 'resourceMapper' | 'logger'> & {
  readonly resourceMapper?: ResourceMapper;
  readonly logger?: Logger;
  /** For tests of `addMetric` metrics: an injectable clock and jitter source. */
  readonly metricFunctions?: Omit<FunctionProviderOptions, 'logger'>;
};

export interface ListenOptions {
  readonly port: number;
  readonly host: string;
}

export interface Adapter {
  /**
   * The server: `inject()` for tests, `route()` for extra routes behind the same authentication, limits and
   * error mapping as the API, and the Node server. Built on first use, after which no API group can be added.
   */
  readonly server: MetricsServer;
  /**
   * Serves the external metric `options.name` from `fn`, which runs at once, then every `options.every` and on
   * each `options.trigger` event; requests get its last good result. Call it before `listen()` or `run()` unless
   * an earlier call made the function metrics part of the server. Not with an `external` provider.
   */
  addMetric(options: AddMetricOptions, fn: MetricFunction): MetricHandle;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(options: ListenOptions): Promise<AddressInfo>;
  /**
   * Parses `argv` (default `process.argv.slice(2)`) with the `metrics-adapter serve` flags bar the back-end ones,
   * serves over TLS (a generated certificate unless `--tls-cert-file`), and closes on SIGTERM/SIGINT. A mistake
   * in the flags prints one line, `error: …`, and exits 2, as the CLI does.
   */
  run(argv?: readonly string[]): Promise<RunningAdapter>;
  close(): Promise<void>;
}

export function createAdapter(options: AdapterOptions = {}): Adapter {
  let currentLogger: Logger = options.logger ?? createSilentLogger();
  const functions = createFunctionProvider({
    ...options.metricFunctions,
    // NB: run() picks the logger from --log-format after metrics are added; log through whichever is current.
    logger: {
      warn: (fields, message) => currentLogger.warn(fields, message),
      info: (fields, message) => currentLogger.info(fields, message),
    },
  });
  let server: MetricsServer | undefined;
  let servesFunctions = false;

  const build = (overrides: Partial<Pick<ServerOptions, 'tls' | 'logger' | 'verbosity'>> = {}): MetricsServer => {
    if (server !== undefined) return server;
    servesFunctions = options.external === undefined && functions.size > 0;
    const external = servesFunctions ? functions : options.external;
    if (!options.custom && !external && !options.resource) {
      throw new TypeError(
        'createAdapter needs a custom, external or resource metrics provider, or a metric added with addMetric()',
      );
    }
    if (overrides.logger !== undefined) currentLogger = overrides.logger;
    const { metricFunctions: _ignored, ...serverOptions } = options;
    server = createServer({
      ...serverOptions,
      ...(external ? { external } : {}),
      ...overrides,
      resourceMapper: options.resourceMapper ?? createStaticResourceMapper(),
      logger: currentLogger,
    });
    return server;
  };

  const adapter: Adapter = {
    get server() {
      return build();
    },
    addMetric(metricOptions, fn) {
      if (options.external !== undefined) {
        throw new TypeError(
          'addMetric serves the external metrics API itself: pass no `external` provider to createAdapter as well',
        );
      }
      if (server !== undefined && !servesFunctions) {
        throw new TypeError('addMetric must be called before listen() or run() when it adds the first external metric');
      }
      return functions.addMetric(metricOptions, fn);
    },
    async listen({ port, host }) {
      return build().listen({ port, host });
    },
    async run(argv = process.argv.slice(2)) {
      const { runAdapter } = await import('./serving/run-adapter.js');
      return runAdapter(argv, {
        ...(options.logger ? { logger: options.logger } : {}),
        start: (serving) => {
          if (server !== undefined)
            throw new TypeError(
              'run() builds the server itself: call it instead of listen(), before touching `server`',
            );
          build(serving);
          return adapter;
        },
        served: () => ({
          custom: options.custom !== undefined,
          external: servesFunctions || options.external !== undefined,
          resource: options.resource !== undefined,
        }),
      });
    },
    async close() {
      functions.close();
      await server?.close();
    },
  };
  return adapter;
}
