/**
 * What serving needs before and after the server is built, for `metrics-adapter serve` and a library adapter's
 * `run()` alike: the bind-address rule, TLS (given or generated), delegated authentication, then listening, the
 * kubeconfig for a generated CA, the `serving …` line, and a graceful close. Every mistake is a CliError.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { DelegatedAuth } from '../auth/index.js';
import {
  ensureSelfSignedCertificate,
  loadCertificateFiles,
  requireCertificateFilePair,
  CertificateError,
} from '../certs/index.js';
import type { Logger } from '../log/index.js';
import type { Readiness } from '../providers/health.js';
import { closeGracefully, type MetricsServer, type ServerLimits } from '../server/index.js';
import { reloadTlsOnChange } from '../server/tls-reload.js';
import { authRequested, createAuthFromFlags } from './auth-flags.js';
import { CliError } from './cli-error.js';
import type { ServingFlags } from './serving-flags.js';

/** An adapter serving over TLS, from `run()` or the `serve` command. */
export interface RunningAdapter {
  readonly url: string;
  /** The generated CA's file, when no `--tls-cert-file` was given. */
  readonly caFile?: string;
  close(): Promise<void>;
}

/** What is served: an adapter (or anything with its listen, close and server). */
export interface ServableAdapter {
  readonly server: MetricsServer;
  listen(options: { readonly port: number; readonly host: string }): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** Loopback: 127.0.0.0/8 and ::1. Binding elsewhere without authentication needs --insecure-disable-auth. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::ffff:127.0.0.1';
}

/**
 * What `serve` and a library adapter's `run()` both need before building the server: TLS, the logger and the request
 * guard.
 */
export interface ServingSetup {
  /** Spread into createAdapter() options. */
  readonly serverOptions: {
    readonly tls: {
      readonly key: string;
      readonly cert: string;
      readonly requestClientCertificates: boolean;
      readonly disableHttp2: boolean;
    };
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
  readonly tlsFiles?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly certPem: string;
    readonly keyPem: string;
  };
  /** The generated CA, when no --tls-cert-file was given. */
  readonly caPem?: string;
  readonly caFile?: string;
}

/** The serving flags' shared part (address rule, TLS, auth), used by `serve` and `Adapter.run()`. Throws CliError. */
export async function prepareServing(flags: ServingFlags, logger: Logger): Promise<ServingSetup> {
  checkBindAddress(flags);
  const tls = await loadTls(flags);
  const auth = flags.insecureDisableAuth ? undefined : await createAuthFromFlags(flags, logger);
  // NB: the warning without auth waits for the bound port (listenAndAnnounce): with --secure-port 0 it is known only
  // then.
  if (auth !== undefined) logger.info(`authentication and authorization: ${auth.summary}`);
  const withAuthReadiness = (readiness: () => Readiness) => (): Readiness => {
    const authReadiness = auth?.readiness();
    return authReadiness?.ready === false ? authReadiness : readiness();
  };
  return {
    serverOptions: {
      tls: {
        key: tls.keyPem,
        cert: tls.certPem,
        requestClientCertificates: auth !== undefined,
        disableHttp2: flags.disableHttp2Serving,
      },
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

/**
 * Listens on the flags' address, warns when auth is off (naming the bound port), writes the kubeconfig for a
 * generated CA, and logs the `serving …` line (with `fields`) that tests and users wait for, suggesting a read
 * of a group in `served` (else `/apis`). `release` runs when listening fails and on close.
 */
export async function listenAndAnnounce(
  adapter: ServableAdapter,
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
    const why =
      code === 'EADDRINUSE'
        ? 'address already in use'
        : code === 'EACCES'
          ? 'permission denied'
          : (error as Error).message;
    throw new CliError(`cannot listen on ${flags.bindAddress}:${flags.securePort}: ${why}`, 1);
  }
  if (setup.auth === undefined) {
    logger.warn(
      `WARNING: authentication and authorization are DISABLED: anyone who can reach ${flags.bindAddress}:${address.port} can read and write every metric`,
    );
  }
  const certificateWatch =
    setup.tlsFiles === undefined
      ? undefined
      : reloadTlsOnChange(adapter.server.server as unknown as TlsServer, setup.tlsFiles, logger);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  if (setup.caFile !== undefined) {
    const kubeconfig = join(flags.certDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(url, setup.caPem ?? ''), { mode: 0o600 });
    logger.info(
      { ...fields, url, caFile: setup.caFile, kubeconfig },
      `serving the metrics APIs on ${url}; try: kubectl --kubeconfig ${kubeconfig} get --raw ${exampleReadPath(served)}`,
    );
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
        logger.warn(
          `requests still in flight after the ${flags.shutdownGracePeriod / 1000}s shutdown grace period were cut`,
        );
      }
      await release();
    },
  };
}

export function checkBindAddress(flags: ServingFlags): void {
  if (!isLoopback(flags.bindAddress) && !flags.insecureDisableAuth && !authRequested(flags)) {
    throw new CliError(
      `refusing to serve ${flags.bindAddress} without authentication: bind to a loopback address, or pass --insecure-disable-auth to accept that anyone reaching the port can read and write metrics`,
    );
  }
}

async function loadTls(flags: ServingFlags): Promise<{
  certPem: string;
  keyPem: string;
  caPem?: string;
  caFile?: string;
  files?: { certFile: string; keyFile: string };
}> {
  try {
    const pair = requireCertificateFilePair(flags.tlsCertFile, flags.tlsPrivateKeyFile);
    if (pair !== undefined) return { ...(await loadCertificateFiles(pair.certFile, pair.keyFile)), files: pair };
    const ips = ['127.0.0.1', '::1'];
    if (flags.bindAddress !== '0.0.0.0' && flags.bindAddress !== '::' && !ips.includes(flags.bindAddress))
      ips.push(flags.bindAddress);
    const generated = await ensureSelfSignedCertificate({
      certDir: flags.certDir,
      hosts: ['localhost', hostname()],
      ips,
    });
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
