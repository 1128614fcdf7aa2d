/**
 * `metrics-adapter serve`: loads the config, builds the back end, sets up TLS and serves until
 * SIGTERM. Every mistake in flags, config or certificates ends here as one line and exit code 2.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createAdapter } from '../adapter.js';
import { ensureSelfSignedCertificate, loadCertificateFiles, requireCertificateFilePair, CertificateError } from '../certs/index.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createLogger, type Logger } from '../log/index.js';
import type { Backend } from '../providers/backend.js';
import { backendNames, isBackendName, loadBackend } from '../providers/registry.js';
import { reloadTlsOnChange } from '../server/tls-reload.js';
import { authRequested, createAuthFromFlags } from './auth-flags.js';
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
  if (!isLoopback(flags.bindAddress) && !flags.insecureDisableAuth && !authRequested(flags)) {
    throw new CliError(
      `refusing to serve ${flags.bindAddress} without authentication: bind to a loopback address, or pass --insecure-disable-auth to accept that anyone reaching the port can read and write metrics`,
    );
  }
  const config = flags.config === undefined ? undefined : await readConfigFile(flags.config);
  const { backendName, section } = await chooseBackend(flags, config);
  const factory = await loadBackend(backendName);
  const backendConfig = config ? validateConfig(config, factory.configSchema, section ?? {}, [backendName]) : factory.configSchema.parse({});
  const tls = await loadTls(flags);
  const auth = flags.insecureDisableAuth ? undefined : await createAuthFromFlags(flags, logger);

  // NB: everything the user gave is checked above, so a mistake is the only line printed.
  if (auth === undefined) {
    logger.warn(
      `WARNING: authentication and authorization are DISABLED: anyone who can reach ${flags.bindAddress}:${flags.securePort} can read and write every metric`,
    );
  } else {
    logger.info(`authentication and authorization: ${auth.summary}`);
  }
  const resourceMapper = createStaticResourceMapper();
  let backend: Backend;
  try {
    backend = await factory.create(backendConfig, flags.metricTtl === undefined ? {} : { metricTtlMs: flags.metricTtl }, { logger, resourceMapper });
  } catch (error) {
    auth?.close();
    throw new CliError(`cannot start the ${backendName} back end: ${(error as Error).message}`, 1);
  }
  const adapter = createAdapter({
    ...(backend.custom ? { custom: backend.custom } : {}),
    ...(backend.external ? { external: backend.external } : {}),
    ...(backend.writer ? { writer: backend.writer } : {}),
    readiness: () => {
      const authReadiness = auth?.readiness();
      return authReadiness?.ready === false ? authReadiness : backend.readiness();
    },
    ...(auth ? { guard: auth.guard } : {}),
    ...(backend.seriesCount ? { seriesCount: () => backend.seriesCount!() } : {}),
    resourceMapper,
    logger,
    verbosity: flags.v,
    tls: { key: tls.keyPem, cert: tls.certPem, requestClientCertificates: auth !== undefined },
  });
  let address;
  try {
    address = await adapter.listen({ port: flags.securePort, host: flags.bindAddress });
  } catch (error) {
    await backend.close();
    auth?.close();
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot listen on ${flags.bindAddress}:${flags.securePort}: ${why}`, 1);
  }
  const certificateWatch = tls.files === undefined ? undefined : reloadTlsOnChange(adapter.server.server as HttpsServer, { ...tls.files, certPem: tls.certPem, keyPem: tls.keyPem }, logger);
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
      certificateWatch?.close();
      auth?.close();
      await adapter.close();
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

async function loadTls(flags: ServeFlags): Promise<{ certPem: string; keyPem: string; caPem?: string; caFile?: string; files?: { certFile: string; keyFile: string } }> {
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
