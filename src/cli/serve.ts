/**
 * `metrics-adapter serve`: loads the config, builds the back end, sets up TLS and serves until
 * SIGTERM. Every mistake in flags, config or certificates ends here as one line and exit code 2.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import type { Server as TlsServer } from 'node:tls';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createAdapter, type Adapter, type RunningAdapter } from '../adapter.js';
import { ensureSelfSignedCertificate, loadCertificateFiles, requireCertificateFilePair, CertificateError } from '../certs/index.js';
import { KubeApiError } from '../kube/kube-client.js';
import { createKubeDeps, type KubeDeps } from '../kube/kube-deps.js';
import type { DelegatedAuth } from '../auth/index.js';
import { closeGracefully, type ServerLimits } from '../server/index.js';
import { createLogger, type Logger } from '../log/index.js';
import type { Readiness } from '../providers/backend.js';
import { reloadTlsOnChange } from '../server/tls-reload.js';
import { authRequested, createAuthFromFlags } from './auth-flags.js';
import { planBackend, type RunningBackend } from './backend-plan.js';
import type { MetricQueryFeature } from '../metric-queries/start-metric-queries.js';
import { CliError } from './cli-error.js';
import { readConfigFile } from './config-file.js';
import { ingestSectionOf } from './config-sections.js';
import type { ServeFlags, ServingFlags } from './serve-flags.js';

export type { RunningAdapter };

/** Loopback: 127.0.0.0/8 and ::1. Binding elsewhere without authentication needs --insecure-disable-auth. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::ffff:127.0.0.1';
}

export async function serve(flags: ServeFlags, logger: Logger = createLogger({ format: flags.logFormat, verbosity: flags.v })): Promise<RunningAdapter> {
  checkBindAddress(flags);
  const config = flags.config === undefined ? undefined : await readConfigFile(flags.config);
  const plan = await planBackend(flags, config);
  const ingest = ingestSectionOf(config);
  // NB: everything the user gave is checked before the back end starts, so a mistake is the only line printed.
  const setup = await prepareServing(flags, logger);
  const kube = await connectCluster(flags, logger);
  const { resourceMapper } = kube;
  let running;
  try {
    running = await plan.start({ logger, resourceMapper, ...(kube.objectLister ? { objectLister: kube.objectLister } : {}) }, logger);
  } catch (error) {
    await kube.close();
    setup.auth?.close();
    throw error;
  }
  const metricQueries = await startMetricQueryFeature(flags, running, kube, logger);
  const backend = metricQueries?.backend ?? running.backend;
  const release = async () => {
    metricQueries?.close();
    await running.close();
    await kube.close();
  };
  const adapter = createAdapter({
    ...(backend.custom ? { custom: backend.custom } : {}),
    ...(backend.external ? { external: backend.external } : {}),
    ...(backend.resource ? { resource: backend.resource } : {}),
    ...(backend.writer ? { writer: backend.writer, ...(ingest ? { ingest } : {}) } : {}),
    ...(backend.seriesCount ? { seriesCount: () => backend.seriesCount!() } : {}),
    selfMetricsText: () => `${backend.selfMetrics?.() ?? ''}${running.reloader?.render() ?? ''}${metricQueries?.render() ?? ''}`,
    ...(backend.health ? { backendHealth: () => backend.health!() } : {}),
    ...(metricQueries ? { metricQueries: () => metricQueries.views() } : {}),
    resourceMapper,
    ...setup.serverOptions,
    readiness: setup.withAuthReadiness(() => backend.readiness()),
  });
  const served = { custom: backend.custom !== undefined, external: backend.external !== undefined, resource: backend.resource !== undefined };
  return listenAndAnnounce(adapter, flags, setup, { backend: plan.label }, release, served);
}

/** Which metrics APIs a server answers, so the start-up line suggests a read that answers. */
export interface ServedApis {
  readonly custom: boolean;
  readonly external: boolean;
  readonly resource: boolean;
}

/** The path the start-up line suggests reading: the first served group's version, else `/apis` (always answers). */
export function exampleReadPath(served: ServedApis | undefined): string {
  if (served?.custom) return '/apis/custom.metrics.k8s.io/v1beta2';
  if (served?.external) return '/apis/external.metrics.k8s.io/v1beta1';
  if (served?.resource) return '/apis/metrics.k8s.io/v1beta1';
  return '/apis';
}

/** What `serve` and a library adapter's `run()` both need before building the server: TLS, the logger and the request guard. */
export interface ServingSetup {
  /** Spread into createAdapter() options. */
  readonly serverOptions: {
    readonly tls: { readonly key: string; readonly cert: string; readonly requestClientCertificates: boolean; readonly disableHttp2: boolean };
    readonly logger: Logger;
    readonly verbosity: number;
    readonly statusPageSampleIntervalMs: number;
    readonly guard?: DelegatedAuth['guard'];
    readonly readiness?: () => Readiness;
    readonly limits: ServerLimits;
  };
  readonly logger: Logger;
  /** Delegated authentication and authorization; undefined when auth is off. */
  readonly auth?: DelegatedAuth;
  /** `readiness`, unless auth is configured and cannot reach the API server (fail closed). */
  withAuthReadiness(readiness: () => Readiness): () => Readiness;
  /** The serving certificate files to watch for rotation, when given by flag. */
  readonly tlsFiles?: { readonly certFile: string; readonly keyFile: string; readonly certPem: string; readonly keyPem: string };
  /** The generated CA, when no --tls-cert-file was given. */
  readonly caPem?: string;
  readonly caFile?: string;
}

/** The serving flags' shared part (address rule, TLS, the auth warning), used by `serve` and `Adapter.run()`. Throws CliError. */
export async function prepareServing(flags: ServingFlags, logger: Logger): Promise<ServingSetup> {
  checkBindAddress(flags);
  const tls = await loadTls(flags);
  const auth = flags.insecureDisableAuth ? undefined : await createAuthFromFlags(flags, logger);
  // NB: the warning without auth waits for the bound port (listenAndAnnounce): with --secure-port 0 it is known only then.
  if (auth !== undefined) logger.info(`authentication and authorization: ${auth.summary}`);
  const withAuthReadiness = (readiness: () => Readiness) => (): Readiness => {
    const authReadiness = auth?.readiness();
    return authReadiness?.ready === false ? authReadiness : readiness();
  };
  return {
    serverOptions: {
      tls: { key: tls.keyPem, cert: tls.certPem, requestClientCertificates: auth !== undefined, disableHttp2: flags.disableHttp2Serving },
      logger,
      verbosity: flags.v,
      statusPageSampleIntervalMs: flags.statusPageSampleInterval,
      limits: {
        maxRequestHeaderBytes: flags.maxRequestHeaderBytes,
        requestTimeoutMs: flags.requestTimeout,
        maxRequestsInflight: flags.maxRequestsInflight,
        maxMutatingRequestsInflight: flags.maxMutatingRequestsInflight,
        maxConnections: flags.maxConnections,
        http2MaxStreamsPerConnection: flags.http2MaxStreamsPerConnection,
      },
      ...(auth ? { guard: auth.guard, readiness: withAuthReadiness(() => ({ ready: true })) } : {}),
    },
    logger,
    withAuthReadiness,
    ...(auth ? { auth } : {}),
    ...(tls.files ? { tlsFiles: { ...tls.files, certPem: tls.certPem, keyPem: tls.keyPem } } : {}),
    ...(tls.caPem !== undefined ? { caPem: tls.caPem } : {}),
    ...(tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
  };
}

/**
 * Listens on the flags' address, warns when auth is off (naming the bound port), writes the kubeconfig for a
 * generated CA, and logs the `serving …` line (with `fields`) that tests and users wait for, suggesting a read
 * of a group in `served` (else `/apis`). `release` runs when listening fails and on close.
 */
export async function listenAndAnnounce(
  adapter: Pick<Adapter, 'listen' | 'close' | 'server'>,
  flags: ServingFlags,
  setup: ServingSetup,
  fields: Record<string, unknown>,
  release: () => Promise<void> = async () => undefined,
  served?: ServedApis,
): Promise<RunningAdapter> {
  const { logger } = setup;
  let address;
  try {
    address = await adapter.listen({ port: flags.securePort, host: flags.bindAddress });
  } catch (error) {
    await release();
    setup.auth?.close();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot listen on ${flags.bindAddress}:${flags.securePort}: ${why}`, 1);
  }
  if (setup.auth === undefined) {
    logger.warn(
      `WARNING: authentication and authorization are DISABLED: anyone who can reach ${flags.bindAddress}:${address.port} can read and write every metric`,
    );
  }
  const certificateWatch = setup.tlsFiles === undefined ? undefined : reloadTlsOnChange(adapter.server.server as unknown as TlsServer, setup.tlsFiles, logger);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  if (setup.caFile !== undefined) {
    const kubeconfig = join(flags.certDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(url, setup.caPem ?? ''), { mode: 0o600 });
    logger.info({ ...fields, url, caFile: setup.caFile, kubeconfig }, `serving the metrics APIs on ${url}; try: kubectl --kubeconfig ${kubeconfig} get --raw ${exampleReadPath(served)}`);
  } else {
    logger.info({ ...fields, url }, `serving the metrics APIs on ${url}`);
  }
  return {
    url,
    ...(setup.caFile !== undefined ? { caFile: setup.caFile } : {}),
    async close() {
      certificateWatch?.close();
      setup.auth?.close();
      if (!(await closeGracefully(adapter.server, flags.shutdownGracePeriod))) {
        logger.warn(`requests still in flight after the ${flags.shutdownGracePeriod / 1000}s shutdown grace period were cut`);
      }
      await release();
    },
  };
}

function checkBindAddress(flags: ServingFlags): void {
  if (!isLoopback(flags.bindAddress) && !flags.insecureDisableAuth && !authRequested(flags)) {
    throw new CliError(
      `refusing to serve ${flags.bindAddress} without authentication: bind to a loopback address, or pass --insecure-disable-auth to accept that anyone reaching the port can read and write metrics`,
    );
  }
}

/** MetricQuery objects in front of the back end, when a cluster is connected and `--metric-queries` is not false. */
async function startMetricQueryFeature(flags: ServeFlags, running: RunningBackend, kube: KubeDeps, logger: Logger): Promise<MetricQueryFeature | undefined> {
  if (flags.metricQueries === false || kube.client === undefined) return undefined;
  // NB: imported here: it loads client-node and the PromQL parser, which a standalone adapter never needs.
  const { startMetricQueries } = await import('../metric-queries/start-metric-queries.js');
  return startMetricQueries({
    client: kube.client,
    backend: running.backend,
    backends: (name) => running.named(name),
    backendsVersion: () => running.version(),
    mapper: kube.resourceMapper,
    logger,
    ...(kube.objectLister !== undefined ? { objectLister: kube.objectLister } : {}),
    ...(flags.metricQueryBackends !== undefined ? { allowedBackends: flags.metricQueryBackends } : {}),
    status: {
      ...(flags.metricQueryStatusWrites !== undefined ? { writesPerSecond: flags.metricQueryStatusWrites } : {}),
      ...(flags.metricQueryEvaluateInterval !== undefined ? { evaluateEveryMs: flags.metricQueryEvaluateInterval } : {}),
    },
  });
}

/** The cluster from --kubeconfig or the in-cluster ServiceAccount; standalone without either. */
async function connectCluster(flags: ServeFlags, logger: Logger): Promise<KubeDeps> {
  try {
    return await createKubeDeps({
      logger,
      informerIdleMs: flags.informerIdleTimeout,
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    });
  } catch (error) {
    if (error instanceof KubeApiError) throw new CliError(error.message);
    throw error;
  }
}

async function loadTls(flags: ServingFlags): Promise<{ certPem: string; keyPem: string; caPem?: string; caFile?: string; files?: { certFile: string; keyFile: string } }> {
  try {
    const pair = requireCertificateFilePair(flags.tlsCertFile, flags.tlsPrivateKeyFile);
    if (pair !== undefined) return { ...(await loadCertificateFiles(pair.certFile, pair.keyFile)), files: pair };
    const ips = ['127.0.0.1', '::1'];
    if (flags.bindAddress !== '0.0.0.0' && flags.bindAddress !== '::' && !ips.includes(flags.bindAddress)) ips.push(flags.bindAddress);
    const generated = await ensureSelfSignedCertificate({ certDir: flags.certDir, hosts: ['localhost', hostname()], ips });
    return { certPem: generated.certPem, keyPem: generated.keyPem, caPem: generated.caPem, caFile: generated.caFile };
  } catch (error) {
    if (error instanceof CertificateError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * A kubeconfig that points kubectl at this adapter, trusting its generated CA. NB: kubectl 1.35
 * prompts for a password when the user entry is empty; a username makes it send Basic credentials,
 * which Kubernetes' authenticators ignore, so the request stays anonymous.
 */
function kubeconfigFor(server: string, caPem: string): string {
  const ca = Buffer.from(caPem).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: metrics-adapter',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: anonymous',
    '  user: {username: anonymous}',
    'contexts:',
    '- name: metrics-adapter',
    '  context: {cluster: metrics-adapter, user: anonymous}',
    'current-context: metrics-adapter',
    '',
  ].join('\n');
}
