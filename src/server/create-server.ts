/**
 * Builds the fastify application: the `/apis` tree, the write API, health, self-metrics, one error
 * handler, and optional TLS. Route plugins know the provider contract, never a concrete back end.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { badRequest, methodNotAllowed } from '../api/errors.js';
import { encodeStatusError } from '../api/encode-status.js';
import type { RequestGuard } from '../auth/index.js';
import type { ResourceMapper } from '../kube/resource-mapper.js';
import type { Logger } from '../log/index.js';
import type { BackendHealth, MetricsWriter, Readiness } from '../providers/backend.js';
import type { CustomMetricsProvider, ExternalMetricsProvider, ResourceMetricsProvider } from '../providers/provider.js';
import { installErrorHandling, writeBodyLimit } from './error-handling.js';
import { createClientErrorHandler, defaultServerLimits, InflightLimiter, installLimits, type ServerLimits } from './limits.js';
import { answerApiRequest, answerWriteRequest, createApiFastPath, lazyQueryContext } from './api-fast-path.js';
import { registerHealthRoutes } from './health.js';
import { trackUnusedConnections } from './shutdown.js';
import { createMetricsApi } from './metrics-api.js';
import { sendJson } from './respond.js';
import { createSelfMetrics } from './self-metrics.js';
import { prepareTransport, transportOptions, type TlsServing } from './transport.js';
import { createWriteApi } from './write-api.js';
import { statusPage } from '../ui/index.js';

export interface ServerOptions {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  /** Serves the resource metrics API `metrics.k8s.io/v1beta1` when given. */
  readonly resource?: ResourceMetricsProvider;
  /** Serves the write API when given. */
  readonly writer?: MetricsWriter;
  readonly readiness?: () => Readiness;
  readonly seriesCount?: () => { readonly custom: number; readonly external: number };
  /** Extra Prometheus text for `/metrics` (a back end's own counters, config reloads). */
  readonly selfMetricsText?: () => string;
  /** Each back end of a routing config and its state, served at `/debug/backends`. */
  readonly backendHealth?: () => readonly BackendHealth[];
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

const otherMethods = ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    metricsGroup: string;
    metricsVersion: string;
  }
}

export function createServer(options: ServerOptions): FastifyInstance {
  const { logger } = options;
  const limits: ServerLimits = { ...defaultServerLimits, ...options.limits };
  const app = fastify({
    ...transportOptions(options.tls, limits),
    logger: false,
    bodyLimit: writeBodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    clientErrorHandler: createClientErrorHandler(limits),
    // NB: a request arriving on a kept-alive connection while draining is served (with Connection: close); fastify's 503 is no Status.
    return503OnClosing: false,
    // NB: fastify answers a URL it cannot decode before any route runs; answer it as a Status too.
    frameworkErrors: (error, request, reply) => {
      void sendJson(request, reply, 400, encodeStatusError(badRequest(`invalid request path: ${error.message}`)));
    },
  }) as unknown as FastifyInstance;
  app.decorateRequest('metricsGroup', '');
  app.decorateRequest('metricsVersion', '');
  installErrorHandling(app, logger);
  const limiter = new InflightLimiter(limits);
  installLimits(app, limits, limiter);
  prepareTransport(app.server, options.tls, limits);

  const selfMetrics = createSelfMetrics(options.seriesCount, options.selfMetricsText);
  const requestLog = (options.verbosity ?? 0) >= 2;
  const recordRequest = (request: IncomingMessage, code: number, group: string, version: string, milliseconds: number): void => {
    selfMetrics.observe(request.method ?? '', group, version, code, milliseconds / 1000);
    if (requestLog) {
      logger.info(
        { verb: request.method, URI: request.url, latency: `${milliseconds.toFixed(3)}ms`, userAgent: request.headers['user-agent'], srcIP: request.socket.remoteAddress, resp: code },
        'HTTP',
      );
    }
  };
  app.addHook('onResponse', (request, reply, done) => {
    recordRequest(request.raw, reply.statusCode, request.metricsGroup, request.metricsVersion, reply.elapsedTime);
    done();
  });

  if (options.guard) {
    const guard = options.guard;
    app.addHook('onRequest', async (request) => {
      await guard.check(request.raw);
    });
  }

  // The body stays a string: quantities are parsed from the exact JSON text, never through a float.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const metricsApi = createMetricsApi(options);
  const writeApi = options.writer ? createWriteApi(options.writer, options.resourceMapper) : undefined;
  installApiFastPath(app, createApiFastPath({
    metricsApi, limiter, logger, observe: recordRequest, closing: () => !app.server.listening,
    ...(options.guard ? { guard: options.guard } : {}),
    ...(writeApi ? { writeApi } : {}),
  }, fastifyRequestListener(app)));
  trackUnusedConnections(app.server);
  const answerApis = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await answerApiRequest(metricsApi, request.url, request.headers.accept, lazyQueryContext(reply.raw));
    request.metricsGroup = answer.group;
    request.metricsVersion = answer.version;
    return sendJson(request, reply, 200, answer.body);
  };
  app.get('/apis', answerApis);
  app.get('/apis/*', answerApis);
  app.route({ method: [...otherMethods], url: '/apis/*', handler: () => Promise.reject(methodNotAllowed()) });

  if (writeApi) {
    const write = async (request: FastifyRequest, reply: FastifyReply) =>
      sendJson(request, reply, 200, await answerWriteRequest(writeApi, request.url, typeof request.body === 'string' ? request.body : ''));
    app.post('/write-metrics/*', write);
    app.post('/write-external-metrics/*', write);
    app.post('/write-resource-metrics/*', write);
    for (const url of ['/write-metrics/*', '/write-external-metrics/*', '/write-resource-metrics/*']) {
      app.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url, handler: () => Promise.reject(methodNotAllowed()) });
    }
  }

  registerHealthRoutes(app, options.readiness ?? (() => ({ ready: true })));
  if (options.backendHealth) {
    const backendHealth = options.backendHealth;
    app.get('/debug/backends', (request, reply) => sendJson(request, reply, 200, JSON.stringify({ backends: backendHealth() })));
  }
  app.get('/metrics', async (_request, reply) => {
    const text = await selfMetrics.render();
    return reply.header('content-type', selfMetrics.contentType).send(text);
  });
  void app.register(statusPage, { custom: options.custom, external: options.external, readiness: options.readiness, ...(options.backendHealth ? { backendHealth: options.backendHealth } : {}), resourceMapper: options.resourceMapper, requestCounts: () => selfMetrics.requestCounts(), ...(options.statusPageSampleIntervalMs !== undefined ? { sampler: { intervalMs: options.statusPageSampleIntervalMs } } : {}) });
  return app;
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** fastify's own request listener, the only one on its server right after construction. */
function fastifyRequestListener(app: FastifyInstance): RequestListener {
  const listeners = app.server.listeners('request');
  if (listeners.length !== 1) throw new Error(`expected fastify's request listener alone on the server, found ${listeners.length}`);
  return listeners[0] as RequestListener;
}

/** Puts `listener` in the place of fastify's, which it calls for whatever it does not answer itself. */
function installApiFastPath(app: FastifyInstance, listener: RequestListener): void {
  app.server.removeAllListeners('request');
  app.server.on('request', listener);
}
