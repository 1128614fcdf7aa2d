/**
 * How the adapter proves itself to Prometheus: a bearer token file (re-read so a rotated service-account token is
 * picked up), basic auth, and TLS (CA file, client certificate, or no verification).
 * @module
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';

export interface PrometheusAuth {
  /** File holding a bearer token (`--prometheus-token-file`). */
  readonly bearerTokenFile?: string | undefined;
  readonly username?: string | undefined;
  /** File holding the basic-auth password of `username`. */
  readonly passwordFile?: string | undefined;
  /** PEM CA bundle to verify Prometheus' certificate (`--prometheus-ca-file`). */
  readonly caFile?: string | undefined;
  readonly clientCertFile?: string | undefined;
  readonly clientKeyFile?: string | undefined;
  readonly insecureSkipTLSVerify?: boolean | undefined;
}

export interface AuthHeaders {
  headers(): Promise<Record<string, string>>;
  httpsAgent(): https.Agent;
}

/** NB: projected service-account tokens rotate every hour or so; a minute-old copy is fresh enough. */
const tokenMaxAgeMs = 60_000;

/** Reads the files once now, so a missing file is an error at start, not on the first request. */
export function createAuthHeaders(auth: PrometheusAuth): AuthHeaders {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new Error(
        `cannot read the Prometheus ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  let token =
    auth.bearerTokenFile === undefined
      ? undefined
      : { value: read(auth.bearerTokenFile, 'token file'), at: Date.now() };
  const basic =
    auth.username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${auth.username}:${auth.passwordFile === undefined ? '' : read(auth.passwordFile, 'password file')}`).toString('base64')}`;
  if ((auth.clientCertFile === undefined) !== (auth.clientKeyFile === undefined)) {
    throw new Error('a Prometheus client certificate needs both the certificate file and the key file');
  }
  const tls: https.AgentOptions = {
    keepAlive: true,
    ...(auth.caFile !== undefined ? { ca: read(auth.caFile, 'CA file') } : {}),
    ...(auth.clientCertFile !== undefined
      ? { cert: read(auth.clientCertFile, 'client certificate'), key: read(auth.clientKeyFile!, 'client key') }
      : {}),
    ...(auth.insecureSkipTLSVerify === true ? { rejectUnauthorized: false } : {}),
  };

  return {
    async headers(): Promise<Record<string, string>> {
      if (token !== undefined && auth.bearerTokenFile !== undefined && Date.now() - token.at > tokenMaxAgeMs) {
        // NB: keep the old token if the file is briefly missing while it is being replaced.
        const value = await readFile(auth.bearerTokenFile, 'utf8').then(
          (text) => text.trim(),
          () => token!.value,
        );
        token = { value, at: Date.now() };
      }
      if (token !== undefined) return { authorization: `Bearer ${token.value}` };
      if (basic !== undefined) return { authorization: basic };
      return {};
    },
    httpsAgent: () => new https.Agent(tls),
  };
}
