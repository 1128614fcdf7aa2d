/**
 * Builds the server: the Node server for the transport, one front door (front-door.ts) for every
 * request, and the route table behind it: the `/apis` tree, the write and push APIs, health,
 * self-metrics, OpenAPI, the status page and any route a library user adds.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HTTPMethod } from 'find-my-way';
import { inject as injectRequest, type InjectOptions, type Response as InjectResponse } from 'light-my-request';
import type { RequestGuard } from '../auth/index.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import type { MetricQueryView } from '../metric-queries/status-of.js';
import type { BackendHealth, Readiness } from '../providers/health.js';
import type { MetricsWriter } from '../providers/write.js';
import type { CustomMetricsProvider, ExternalMetricsProvider, ResourceMetricsProvider } from '../providers/provider.js';
import { createPushReceivers, type IngestConfig } from '../ingest/index.js';
import { addStatusPageRoutes } from './ui/status-page.js';
import { addMetricsApiRoutes } from './api-routes.js';
import { jsonAnswer, type Handler } from './exchange.js';
import { createFrontDoor } from './front-door.js';
import { addHealthRoutes } from './health.js';
import { defaultServerLimits, InflightLimiter, type ServerLimits } from './limits.js';
import { createMetricsApi, servedGroups } from './metrics-api.js';
import { addOpenApiRoutes } from './openapi-routes.js';
import { addPushRoutes } from './push-api.js';
import { readMethods, Routes } from './routes.js';
import { createSelfMetrics } from './self-metrics.js';
import { trackUnusedConnections } from './shutdown.js';
import { createNodeServer, type NodeServer, type TlsServing } from './transport.js';
import { createAnswerBatch } from './answer-batch.js';
import { createWriteApi } from './write-api.js';
import { addWriteRoutes } from './write-routes.js';

export interface ServerOptions {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  /** Serves the resource metrics API `metrics.k8s.io/v1beta1` when given. */
  readonly resource?: ResourceMetricsProvider;
  /** Serves the write API and push ingestion (remote-write, OTLP, batched writes) when given. */
  readonly writer?: MetricsWriter;
  /** The `ingest:` section: rules and body limits of push ingestion; the defaults when undefined. */
  readonly ingest?: IngestConfig;
  readonly readiness?: () => Readiness;
  readonly seriesCount?: () => { readonly custom: number; readonly external: number };
  /** Extra Prometheus text for `/metrics` (a back end's own counters, config reloads). */
  readonly selfMetricsText?: () => string;
  /** Each back end of a routing config and its state, served at `/debug/backends`. */
  readonly backendHealth?: () => readonly BackendHealth[];
  /** The MetricQuery objects and their state, for the status page. */
  readonly metricQueries?: () => readonly MetricQueryView[];
  readonly resourceMapper: ResourceMapper;
  readonly logger: Logger;
  /** klog-style verbosity: at 2 and above, one log line per request. */
  readonly verbosity?: number;
  /**
   * PEM key and certificate; plain HTTP/1.1 without them (tests, or TLS terminated in front). With
   * them, h2 and HTTP/1.1 by ALPN (`disableHttp2`: HTTP/1.1 only). With `requestClientCertificates`
   * the server asks for (never requires) a client certificate, which the guard verifies.
   */
  readonly tls?: TlsServing;
  readonly guard?: RequestGuard;
  /**
   * How often the status page reads every metric for its plots, in ms (default 10 s); 0: never in the
   * background. NB: with a remote back end each sample is one query per metric.
   */
  readonly statusPageSampleIntervalMs?: number;
  /** Header size, timeouts, connection and in-flight caps; each field defaults to `defaultServerLimits`. */
  readonly limits?: Partial<ServerLimits>;
}

/** The running server: the Node server, its route table, and requests injected without a socket. */
export interface MetricsServer {
  /** The Node server (an http.Server, https.Server or HTTP/2 secure server with HTTP/1.1). */
  readonly server: NodeServer;
  /**
   * Adds a route behind the front door: it gets the same in-flight limit, authentication and
   * authorization, error-to-Status mapping, self-metrics and request log as every API request.
   * `path` takes `:name` parameters and a trailing `*`.
   */
  route(methods: HTTPMethod | readonly HTTPMethod[], path: string, handler: Handler): void;
  /** Answers a request without a socket, through the same front door (light-my-request). */
  inject(request: InjectOptions | string): Promise<InjectResponse>;
  /** Starts the background work (the status page's sampling); `listen` and `inject` call it. */
  ready(): Promise<void>;
  listen(options: { readonly port: number; readonly host: string }): Promise<AddressInfo>;
  /** Stops listening, closes idle connections and stops the background work. */
  close(): Promise<void>;
}

export function createServer(options: ServerOptions): MetricsServer {
  const { logger } = options;
  const limits: ServerLimits = { ...defaultServerLimits, ...options.limits };
  const routes = new Routes();
  let pushMetrics: (() => string) | undefined;
  const selfMetrics = createSelfMetrics(
    options.seriesCount,
    () => `${options.selfMetricsText?.() ?? ''}${pushMetrics?.() ?? ''}`,
  );
  const requestLog = (options.verbosity ?? 0) >= 2;
  const observe = (
    request: IncomingMessage,
    code: number,
    group: string,
    version: string,
    milliseconds: number,
  ): void => {
    selfMetrics.observe(request.method ?? '', group, version, code, milliseconds / 1000);
    if (requestLog) {
      logger.info(
        {
          verb: request.method,
          URI: request.url,
          latency: `${milliseconds.toFixed(3)}ms`,
          userAgent: request.headers['user-agent'],
          srcIP: request.socket.remoteAddress,
          resp: code,
        },
        'HTTP',
      );
    }
  };
  let closing = false;
  // NB: a refused header list is our own bug, never the caller's: answering again would send the same headers.
  const answers = createAnswerBatch((response, error) => {
    logger.error({ err: error, method: response.req.method, url: response.req.url }, 'could not write the answer');
    response.destroy();
  });
  const frontDoor = createFrontDoor({
    routes,
    logger,
    observe,
    limiter: new InflightLimiter(limits),
    closing: () => closing,
    answers,
    ...(options.guard ? { guard: options.guard } : {}),
  });
  const server = createNodeServer(options.tls, limits, frontDoor, answers.flush);
  trackUnusedConnections(server);

  const onClose: (() => void)[] = [];
  addMetricsApiRoutes(routes, createMetricsApi(options));
  if (options.writer) {
    addWriteRoutes(routes, createWriteApi(options.writer, options.resourceMapper));
    const receivers = createPushReceivers({
      writer: options.writer,
      mapper: options.resourceMapper,
      ...(options.ingest ? { config: options.ingest } : {}),
      onError: (error) => logger.error({ err: error }, 'removing stale pushed series failed'),
    });
    addPushRoutes(routes, receivers);
    pushMetrics = () => receivers.renderMetrics();
    onClose.push(() => receivers.close());
  }
  addOpenApiRoutes(
    routes,
    servedGroups({
      ...(options.custom ? { custom: true } : {}),
      ...(options.external ? { external: true } : {}),
      ...(options.resource ? { resource: true } : {}),
    }),
  );
  addHealthRoutes(routes, options.readiness ?? (() => ({ ready: true })));
  if (options.backendHealth) {
    const backendHealth = options.backendHealth;
    routes.add(readMethods, '/debug/backends', (exchange) =>
      jsonAnswer(exchange, 200, JSON.stringify({ backends: backendHealth() })),
    );
  }
  routes.add(readMethods, '/metrics', {
    unlimited: true,
    handler: async () => ({
      code: 200,
      body: await selfMetrics.render(),
      headers: { 'content-type': selfMetrics.contentType },
    }),
  });
  const statusPage = addStatusPageRoutes(routes, {
    custom: options.custom,
    external: options.external,
    readiness: options.readiness,
    resourceMapper: options.resourceMapper,
    ...(options.backendHealth ? { backendHealth: options.backendHealth } : {}),
    ...(options.metricQueries ? { metricQueries: options.metricQueries } : {}),
    requestCounts: () => selfMetrics.requestCounts(),
    ...(options.statusPageSampleIntervalMs !== undefined
      ? { sampler: { intervalMs: options.statusPageSampleIntervalMs } }
      : {}),
  });
  onClose.push(() => statusPage.stop());

  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const ready = (): Promise<void> => (started ??= statusPage.start());
  return {
    server,
    route: (methods, path, handler) => routes.add(methods, path, handler),
    async inject(request) {
      await ready();
      return injectRequest(frontDoor, request);
    },
    ready,
    async listen({ port, host }) {
      await ready();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return server.address() as AddressInfo;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const stop of onClose) stop();
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // NB: close() waits for every connection; the idle kept-alive ones would hold it until their timeout.
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
