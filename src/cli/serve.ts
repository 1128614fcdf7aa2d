/**
 * `metrics-adapter serve`: loads the config, builds the back end, sets up TLS and serves until
 * SIGTERM. Every mistake in flags, config or certificates ends here as one line and exit code 2.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createAdapter } from '../adapter.js';
import { ensureSelfSignedCertificate, loadCertificateFiles, requireCertificateFilePair, CertificateError } from '../certs/index.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { closeGracefully } from '../server/index.js';
import { createLogger, type Logger } from '../log/index.js';
import type { Backend } from '../providers/backend.js';
import { backendNames, isBackendName, loadAllBackends, loadBackend } from '../providers/registry.js';
import { backendConfigFrom } from './backend-flags.js';
import { CliError } from './cli-error.js';
import { readConfigFile, validateConfig, type ConfigSource } from './config-file.js';
import type { ServeFlags } from './serve-flags.js';

export interface RunningAdapter {
  readonly url: string;
  readonly caFile?: string;
  close(): Promise<void>;
}

/** Loopback: 127.0.0.0/8 and ::1. Binding elsewhere without authentication needs --insecure-disable-auth. */
export function isLoopback(address: string): boolean {
  return address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::ffff:127.0.0.1';
}

export async function serve(flags: ServeFlags, logger: Logger = createLogger({ format: flags.logFormat, verbosity: flags.v })): Promise<RunningAdapter> {
  if (!isLoopback(flags.bindAddress) && !flags.insecureDisableAuth) {
    throw new CliError(
      `refusing to serve ${flags.bindAddress} without authentication: bind to a loopback address, or pass --insecure-disable-auth to accept that anyone reaching the port can read and write metrics`,
    );
  }
  const config = flags.config === undefined ? undefined : await readConfigFile(flags.config);
  const { backendName, section } = await chooseBackend(flags, config);
  const factory = await loadBackend(backendName);
  const backendConfig = backendConfigFrom(factory, await loadAllBackends(), flags, config, section);
  const tls = await loadTls(flags);

  // NB: everything the user gave is checked above, so a mistake is the only line printed.
  logger.warn(
    `WARNING: authentication and authorization are DISABLED: anyone who can reach ${flags.bindAddress}:${flags.securePort} can read and write every metric`,
  );
  const resourceMapper = createStaticResourceMapper();
  let backend: Backend;
  try {
    backend = await factory.create(backendConfig, flags.metricTtl === undefined ? {} : { metricTtlMs: flags.metricTtl }, { logger, resourceMapper });
  } catch (error) {
    throw new CliError(`cannot start the ${backendName} back end: ${(error as Error).message}`, 1);
  }
  const adapter = createAdapter({
    ...(backend.custom ? { custom: backend.custom } : {}),
    ...(backend.external ? { external: backend.external } : {}),
    ...(backend.writer ? { writer: backend.writer } : {}),
    readiness: () => backend.readiness(),
    ...(backend.seriesCount ? { seriesCount: () => backend.seriesCount!() } : {}),
    resourceMapper,
    logger,
    verbosity: flags.v,
    tls: { key: tls.keyPem, cert: tls.certPem },
    limits: {
      maxRequestHeaderBytes: flags.maxRequestHeaderBytes,
      requestTimeoutMs: flags.requestTimeout,
      maxRequestsInflight: flags.maxRequestsInflight,
      maxMutatingRequestsInflight: flags.maxMutatingRequestsInflight,
      maxConnections: flags.maxConnections,
    },
  });
  let address;
  try {
    address = await adapter.listen({ port: flags.securePort, host: flags.bindAddress });
  } catch (error) {
    await backend.close();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot listen on ${flags.bindAddress}:${flags.securePort}: ${why}`, 1);
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `https://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  if (tls.caFile !== undefined) {
    const kubeconfig = join(flags.certDir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor(url, tls.caPem ?? ''), { mode: 0o600 });
    logger.info({ backend: backendName, url, caFile: tls.caFile, kubeconfig }, `serving the metrics APIs on ${url}; try: kubectl --kubeconfig ${kubeconfig} get --raw /apis/custom.metrics.k8s.io/v1beta2`);
  } else {
    logger.info({ backend: backendName, url }, `serving the metrics APIs on ${url}`);
  }
  return {
    url,
    ...(tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
    async close() {
      if (!(await closeGracefully(adapter.server, flags.shutdownGracePeriod))) {
        logger.warn(`requests still in flight after the ${flags.shutdownGracePeriod / 1000}s shutdown grace period were cut`);
      }
      await backend.close();
    },
  };
}

const topLevelSchema = z
  .object({ backend: z.enum(backendNames as [string, ...string[]]).optional() })
  .catchall(z.unknown());

async function chooseBackend(flags: ServeFlags, config: ConfigSource | undefined) {
  const data = config ? validateConfig(config, topLevelSchema, config.data) : {};
  for (const key of Object.keys(data)) {
    if (key !== 'backend' && !isBackendName(key)) {
      throw new CliError(`${config!.locate([key])}: ${key}: unknown key (allowed: backend, ${backendNames.join(', ')})`);
    }
  }
  const backendName = flags.backend ?? (data.backend as string | undefined) ?? 'memory';
  if (!isBackendName(backendName)) throw new CliError(`unknown back end "${backendName}" (choose from ${backendNames.join(', ')})`);
  return { backendName, section: (data as Record<string, unknown>)[backendName] };
}

async function loadTls(flags: ServeFlags): Promise<{ certPem: string; keyPem: string; caPem?: string; caFile?: string }> {
  try {
    const pair = requireCertificateFilePair(flags.tlsCertFile, flags.tlsPrivateKeyFile);
    if (pair !== undefined) return await loadCertificateFiles(pair.certFile, pair.keyFile);
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
