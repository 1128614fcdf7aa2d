/**
 * A small HTTPS client for end-to-end tests: real TLS verified against the adapter's CA, and the
 * raw status, headers and body bytes back, so tests can assert on exactly what a client receives.
 * @module
 */
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string | readonly string[]>;
  /** A client certificate to present (PEM); the request then gets a connection of its own. */
  readonly certificate?: { readonly certPem: string; readonly keyPem: string };
}

export function createClient(baseUrl: string, caFile: string) {
  const ca = readFileSync(caFile, 'utf8');
  return function send(path: string, options: RequestOptions = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, baseUrl),
        {
          method: options.method ?? 'GET',
          ca,
          servername: 'localhost',
          ...(options.certificate
            ? { cert: options.certificate.certPem, key: options.certificate.keyPem, agent: false }
            : {}),
          headers: {
            'user-agent': 'metrics-adapter-e2e',
            ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...options.headers,
          },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  };
}
