/**
 * HTTPS GETs to another metrics API server (KEDA's, prometheus-adapter, another metrics-adapter), with
 * its CA, a client certificate or a bearer token, a keep-alive agent and a deadline. Node's `https`
 * rather than `fetch`: Node 20's fetch takes no per-request CA or client certificate without
 * installing undici.
 * @module
 */
import { Agent, request } from 'node:https';

export interface UpstreamOptions {
  /** `https://host:port`, optionally with a path prefix. */
  readonly url: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Read on every request, so a rotated ServiceAccount token is picked up. */
  readonly token?: () => Promise<string>;
  readonly timeoutMs: number;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly body: string;
}

export interface UpstreamClient {
  /** Resolves with any HTTP answer; rejects only when no answer came (refused, reset, deadline). */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<UpstreamResponse>;
  close(): void;
}

export function createUpstreamClient(options: UpstreamOptions): UpstreamClient {
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/$/, '');
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 32,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.cert !== undefined ? { cert: options.cert } : {}),
    ...(options.key !== undefined ? { key: options.key } : {}),
  });
  return {
    async get(pathAndQuery, signal) {
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'metrics-adapter-forward' };
      if (options.token !== undefined) headers.authorization = `Bearer ${(await options.token()).trim()}`;
      return new Promise<UpstreamResponse>((resolve, reject) => {
        const req = request(
          { protocol: base.protocol, hostname: base.hostname, port: base.port, path: prefix + pathAndQuery, method: 'GET', headers, agent, timeout: options.timeoutMs, ...(signal ? { signal } : {}) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
        req.on('error', reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}
