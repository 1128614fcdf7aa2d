/**
 * Reads the front-proxy and client-CA settings kube-apiserver publishes in the ConfigMap
 * `kube-system/extension-apiserver-authentication` (spec §7.3), and watches it so a rotated
 * front-proxy CA applies without a restart (re-reading it on a timer while no watch can be had).
 * A failed read, a bad new version or a deletion keeps the last good settings.
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { KubeApi } from './kube-api.js';
import type { RequestHeaderConfig } from './request-header-authenticator.js';
import { parseCaBundle } from './verify-client-certificate.js';

export const authenticationConfigMap = {
  namespace: 'kube-system',
  name: 'extension-apiserver-authentication',
} as const;

export interface AuthenticationSettings {
  readonly requestHeader?: RequestHeaderConfig;
  readonly clientCa?: readonly X509Certificate[];
}

/**
 * NB: requestheader_controller.go deserializeStrings: list values are JSON string arrays; a missing key is an empty
 * list.
 */
function stringList(data: Readonly<Record<string, string>>, key: string): string[] {
  const text = data[key];
  if (text === undefined || text === '') return [];
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`${key} is not a JSON array of strings`);
  return value as string[];
}

/** Throws when a present key does not parse. */
export function parseAuthenticationConfigMap(data: Readonly<Record<string, string>>): AuthenticationSettings {
  const where = `ConfigMap ${authenticationConfigMap.namespace}/${authenticationConfigMap.name}`;
  const clientCaPem = data['client-ca-file'];
  const requestHeaderPem = data['requestheader-client-ca-file'];
  return {
    ...(clientCaPem ? { clientCa: parseCaBundle(clientCaPem, `${where} client-ca-file`) } : {}),
    ...(requestHeaderPem
      ? {
          requestHeader: {
            clientCa: parseCaBundle(requestHeaderPem, `${where} requestheader-client-ca-file`),
            allowedNames: stringList(data, 'requestheader-allowed-names'),
            usernameHeaders: stringList(data, 'requestheader-username-headers'),
            uidHeaders: stringList(data, 'requestheader-uid-headers'),
            groupHeaders: stringList(data, 'requestheader-group-headers'),
            extraHeaderPrefixes: stringList(data, 'requestheader-extra-headers-prefix'),
          },
        }
      : {}),
  };
}

export interface AuthenticationSettingsSource {
  current(): AuthenticationSettings | undefined;
  /** Why there are no settings yet; undefined once loaded. */
  problem(): string | undefined;
  close(): void;
}

/**
 * Loads now (resolving even when that fails), then watches; while a watch cannot be had, re-reads every `refreshMs`.
 */
export async function watchAuthenticationConfigMap(
  api: KubeApi,
  logger: Logger,
  refreshMs = 60_000,
  retryMs = 5_000,
): Promise<AuthenticationSettingsSource> {
  let settings: AuthenticationSettings | undefined;
  let problem: string | undefined = 'not read yet';
  let timer: NodeJS.Timeout | undefined;
  let watch: { stop(): void } | undefined;
  let watchFailure: string | undefined;
  let closed = false;
  const { namespace, name } = authenticationConfigMap;
  const where = `${namespace}/${name}`;
  const failed = (message: string) => {
    if (message !== problem)
      logger.warn(settings === undefined ? message : `${message}; keeping the last settings read`);
    if (settings === undefined) problem = message;
  };
  const apply = (data: Readonly<Record<string, string>>) => {
    const fresh = parseAuthenticationConfigMap(data);
    if (settings === undefined)
      logger.info(
        { configMap: where, frontProxy: fresh.requestHeader !== undefined, clientCa: fresh.clientCa !== undefined },
        'loaded the authentication settings',
      );
    settings = fresh;
    problem = undefined;
  };
  const load = async () => {
    try {
      const data = await api.readConfigMap(namespace, name);
      if (data === undefined) throw new Error(`ConfigMap ${where} not found`);
      apply(data);
    } catch (error) {
      failed(`cannot read ConfigMap ${where}: ${(error as Error).message}`);
    }
  };
  // NB: the poll is the fallback, as client-go's reflector relists when its watch breaks: each poll
  // is followed by another try to watch.
  const poll = () => {
    if (closed) return;
    timer = setTimeout(() => void load().then(startWatch), settings === undefined ? retryMs : refreshMs).unref();
  };
  const startWatch = async () => {
    if (closed) return;
    const started = Date.now();
    const opened = await api.watchConfigMap(
      namespace,
      name,
      (data) => {
        try {
          if (data === undefined) throw new Error('it was deleted');
          apply(data);
          watchFailure = undefined;
        } catch (error) {
          failed(`cannot use ConfigMap ${where}: ${(error as Error).message}`);
        }
      },
      (error) => {
        watch = undefined;
        if (closed) return;
        // NB: the apiserver ends every watch after a few minutes; that one is resumed at once. A watch
        // that fails, or ends as soon as it began, falls back to polling.
        if (error === undefined && Date.now() - started >= 1000) return void startWatch();
        const message = `cannot watch ConfigMap ${where}: ${error?.message ?? 'the watch ended at once'}; reading it every ${Math.round(refreshMs / 1000)}s instead`;
        if (message !== watchFailure) logger.warn(message);
        watchFailure = message;
        poll();
      },
    );
    if (closed) opened.stop();
    else watch = opened;
  };
  await load();
  // NB: not awaited: a watch that takes long to answer must not hold up startup; the read above did the first load.
  void startWatch();
  return {
    current: () => settings,
    problem: () => problem,
    close() {
      closed = true;
      clearTimeout(timer);
      watch?.stop();
    },
  };
}
