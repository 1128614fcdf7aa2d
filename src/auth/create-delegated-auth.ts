/**
 * Builds the delegating guard from CMAS-named options: CA files or the cluster's ConfigMap for
 * authentication, TokenReview and SubjectAccessReview through a kubeconfig or the Pod's
 * ServiceAccount, and a readiness check that stays failed while the cluster cannot be reached.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log/index.js';
import type { Readiness } from '../providers/health.js';
import { watchAuthenticationConfigMap, type AuthenticationSettingsSource } from './authentication-config-map.js';
import type { Authenticator } from './authenticator.js';
import { createSubjectAccessReviewAuthorizer } from './authorizer.js';
import { createClientCertificateAuthenticator } from './client-certificate-authenticator.js';
import { createDelegatingGuard } from './delegating-guard.js';
import { createKubeApi, inCluster, loadKubeConfig, type KubeApi } from './kube-api.js';
import {
  createRequestHeaderAuthenticator,
  deleteRequestHeaders,
  requestHeaderDefaults,
  type RequestHeaderConfig,
} from './request-header-authenticator.js';
import type { RequestGuard } from './request-guard.js';
import { alwaysAllowedPaths } from './request-guard.js';
import { createTokenReviewAuthenticator } from './token-review-authenticator.js';
import { parseCaBundle } from './verify-client-certificate.js';
import { watchCaFile, type CaFileWatch } from './watch-ca-file.js';

export interface DelegatedAuthOptions {
  readonly requestheaderClientCaFile?: string;
  readonly requestheaderAllowedNames?: readonly string[];
  readonly requestheaderUsernameHeaders?: readonly string[];
  readonly requestheaderUidHeaders?: readonly string[];
  readonly requestheaderGroupHeaders?: readonly string[];
  readonly requestheaderExtraHeadersPrefix?: readonly string[];
  readonly clientCaFile?: string;
  readonly authenticationKubeconfig?: string;
  readonly authorizationKubeconfig?: string;
  /** Do not read the extension-apiserver-authentication ConfigMap. */
  readonly authenticationSkipLookup?: boolean;
  readonly authenticationTokenWebhookCacheTtlMs?: number;
  readonly authorizationWebhookCacheAuthorizedTtlMs?: number;
  readonly authorizationWebhookCacheUnauthorizedTtlMs?: number;
  readonly authorizationAlwaysAllowPaths?: readonly string[];
  /** Deadline of each call to the Kubernetes API; default 10 s. */
  readonly kubeApiTimeoutMs?: number;
  /** How often an unreachable API server is probed again; default 5 s. */
  readonly probeIntervalMs?: number;
  /** How often the CA files are checked for a new bundle; default 10 s. */
  readonly caFileCheckIntervalMs?: number;
}

export interface DelegatedAuth {
  readonly guard: RequestGuard;
  readiness(): Readiness;
  /** One line for the startup log. */
  readonly summary: string;
  close(): void;
}

/** Whether `options` (or a Pod's ServiceAccount) turn authentication on. Cheap: reads no file. */
export function delegatedAuthRequested(options: DelegatedAuthOptions): boolean {
  return (
    options.requestheaderClientCaFile !== undefined ||
    options.clientCaFile !== undefined ||
    options.authenticationKubeconfig !== undefined ||
    options.authorizationKubeconfig !== undefined ||
    inCluster()
  );
}

/** A user's mistake in the options, worded for one `error:` line. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

async function readCaFile(file: string, flag: string): Promise<{ bundle: X509Certificate[]; pem: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AuthConfigError(
      `${flag} ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
    );
  }
  try {
    return { bundle: parseCaBundle(text, `${flag} ${file}`), pem: text };
  } catch (error) {
    throw new AuthConfigError((error as Error).message);
  }
}

async function kubeApiFor(
  file: string | undefined,
  flag: string,
  timeoutMs: number | undefined,
): Promise<KubeApi | undefined> {
  try {
    const config = await loadKubeConfig(file);
    return config === undefined ? undefined : await createKubeApi(config, timeoutMs);
  } catch (error) {
    throw new AuthConfigError(`${flag} ${file ?? '(in-cluster)'}: ${(error as Error).message}`);
  }
}

/** Undefined when nothing asks for authentication (then `serve` runs open on loopback only). Throws AuthConfigError. */
export async function createDelegatedAuth(
  options: DelegatedAuthOptions,
  logger: Logger,
): Promise<DelegatedAuth | undefined> {
  if (!delegatedAuthRequested(options)) return undefined;
  const authorizationApi = await kubeApiFor(
    options.authorizationKubeconfig,
    '--authorization-kubeconfig',
    options.kubeApiTimeoutMs,
  );
  if (authorizationApi === undefined) {
    throw new AuthConfigError(
      'authorization needs a Kubernetes API server for SubjectAccessReviews: give --authorization-kubeconfig, or run in a Pod with a ServiceAccount',
    );
  }
  const authenticationApi =
    options.authenticationKubeconfig === options.authorizationKubeconfig
      ? authorizationApi
      : await kubeApiFor(options.authenticationKubeconfig, '--authentication-kubeconfig', options.kubeApiTimeoutMs);

  const requestHeaderCaFile =
    options.requestheaderClientCaFile === undefined
      ? undefined
      : await readCaFile(options.requestheaderClientCaFile, '--requestheader-client-ca-file');
  let flagRequestHeader: RequestHeaderConfig | undefined =
    requestHeaderCaFile === undefined
      ? undefined
      : {
          clientCa: requestHeaderCaFile.bundle,
          allowedNames: options.requestheaderAllowedNames ?? [],
          usernameHeaders: options.requestheaderUsernameHeaders ?? requestHeaderDefaults.usernameHeaders,
          uidHeaders: options.requestheaderUidHeaders ?? requestHeaderDefaults.uidHeaders,
          groupHeaders: options.requestheaderGroupHeaders ?? requestHeaderDefaults.groupHeaders,
          extraHeaderPrefixes: options.requestheaderExtraHeadersPrefix ?? requestHeaderDefaults.extraHeaderPrefixes,
        };
  const clientCaFile =
    options.clientCaFile === undefined ? undefined : await readCaFile(options.clientCaFile, '--client-ca-file');
  let flagClientCa: readonly X509Certificate[] | undefined = clientCaFile?.bundle;
  // NB: a new bundle is a new array, and the verifiers cache per bundle, so no verdict outlives its CA.
  const caWatches: CaFileWatch[] = [];
  const caFileCheckIntervalMs = options.caFileCheckIntervalMs;
  const interval = caFileCheckIntervalMs === undefined ? {} : { intervalMs: caFileCheckIntervalMs };
  if (requestHeaderCaFile !== undefined && options.requestheaderClientCaFile !== undefined) {
    caWatches.push(
      watchCaFile({
        file: options.requestheaderClientCaFile,
        flag: '--requestheader-client-ca-file',
        initialPem: requestHeaderCaFile.pem,
        logger,
        ...interval,
        onChange: (bundle) => {
          if (flagRequestHeader !== undefined) flagRequestHeader = { ...flagRequestHeader, clientCa: bundle };
        },
      }),
    );
  }
  if (clientCaFile !== undefined && options.clientCaFile !== undefined) {
    caWatches.push(
      watchCaFile({
        file: options.clientCaFile,
        flag: '--client-ca-file',
        initialPem: clientCaFile.pem,
        logger,
        ...interval,
        onChange: (bundle) => {
          flagClientCa = bundle;
        },
      }),
    );
  }

  // NB: like CMAS (DelegatingAuthenticationOptions.lookupMissingConfigInCluster), the ConfigMap fills
  // in only what the flags left out.
  let source: AuthenticationSettingsSource | undefined;
  if (
    !options.authenticationSkipLookup &&
    authenticationApi !== undefined &&
    (flagRequestHeader === undefined || flagClientCa === undefined)
  ) {
    source = await watchAuthenticationConfigMap(authenticationApi, logger);
  }
  const requestHeader = () => flagRequestHeader ?? source?.current()?.requestHeader;
  const clientCa = () => flagClientCa ?? source?.current()?.clientCa;

  const authenticators: Authenticator[] = [
    createRequestHeaderAuthenticator(requestHeader),
    createClientCertificateAuthenticator(clientCa),
  ];
  if (authenticationApi !== undefined) {
    authenticators.push(
      createTokenReviewAuthenticator({
        api: authenticationApi,
        cacheTtlMs: options.authenticationTokenWebhookCacheTtlMs ?? 10_000,
      }),
    );
  }
  const authorizer = createSubjectAccessReviewAuthorizer({
    api: authorizationApi,
    allowedTtlMs: options.authorizationWebhookCacheAuthorizedTtlMs ?? 10_000,
    deniedTtlMs: options.authorizationWebhookCacheUnauthorizedTtlMs ?? 10_000,
    alwaysAllowPaths: options.authorizationAlwaysAllowPaths ?? alwaysAllowedPaths,
  });
  const guard = createDelegatingGuard({
    authenticators,
    authorizer,
    logger,
    onAuthenticated: (index: number, request: IncomingMessage) => {
      const config = requestHeader();
      if (index === 0 && config !== undefined) deleteRequestHeaders(request.headers, config);
    },
  });

  // Reachability: probe now, and again while the last call failed, so /readyz tells the truth
  // before the first request and recovers without one.
  const apis =
    authenticationApi === authorizationApi || authenticationApi === undefined
      ? [authorizationApi]
      : [authorizationApi, authenticationApi];
  const tick = () => {
    for (const api of apis) if (api.health().reachable !== true) void api.probe().catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, options.probeIntervalMs ?? 5_000).unref();

  const summary = [
    `front proxy: ${flagRequestHeader ? `--requestheader-client-ca-file ${options.requestheaderClientCaFile}` : source ? 'from the cluster ConfigMap' : 'off'}`,
    `client certificates: ${flagClientCa ? `--client-ca-file ${options.clientCaFile}` : source ? 'from the cluster ConfigMap' : 'off'}`,
    `bearer tokens: ${authenticationApi ? `TokenReview at ${authenticationApi.server}` : 'off'}`,
    `authorization: SubjectAccessReview at ${authorizationApi.server}`,
  ].join('; ');
  return {
    guard,
    summary,
    readiness() {
      for (const api of apis) {
        const health = api.health();
        if (health.reachable !== true) {
          return {
            ready: false,
            message: `the Kubernetes API server at ${api.server} ${health.reachable === undefined ? 'has not answered yet' : `is unreachable: ${health.lastError ?? ''}`}`,
          };
        }
      }
      const problem = source?.problem();
      if (problem !== undefined && requestHeader() === undefined) return { ready: false, message: problem };
      return { ready: true };
    },
    close() {
      clearInterval(timer);
      source?.close();
      for (const watch of caWatches) watch.close();
    },
  };
}
