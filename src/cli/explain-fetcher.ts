/**
 * The HTTP side of `explain`: GETs to the adapter or the API server as client-go sends them.
 * @module
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { MetricsFetcher } from '../hpa/explain.js';
import { CliError } from '../serving/cli-error.js';
import type { ApiServerConnection } from './kubeconfig.js';

const requestTimeoutMs = 10_000;

/** GETs over HTTPS (or HTTP) as client-go would: JSON accepted, the configured CA, client certificate or token. */
export function createHttpFetcher(connection: ApiServerConnection): MetricsFetcher {
  let base: URL;
  try {
    base = new URL(connection.server);
  } catch {
    throw new CliError(`invalid server URL ${JSON.stringify(connection.server)}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new CliError(`invalid server URL ${connection.server}: must be https:// or http://`);
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    get(url) {
      const target = new URL(`${prefix}${url}`, base);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const req = send(
          target,
          {
            method: 'GET',
            timeout: requestTimeoutMs,
            headers: {
              accept: 'application/json, */*',
              'user-agent': 'metrics-adapter-explain',
              ...(connection.authorization !== undefined ? { authorization: connection.authorization } : {}),
            },
            ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
            ...(connection.cert !== undefined ? { cert: connection.cert } : {}),
            ...(connection.key !== undefined ? { key: connection.key } : {}),
            ...(connection.insecureSkipTlsVerify === true ? { rejectUnauthorized: false } : {}),
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () =>
          req.destroy(new Error(`no answer from ${target.origin} in ${requestTimeoutMs / 1000}s`)),
        );
        req.on('error', reject);
        req.end();
      });
    },
  };
}
