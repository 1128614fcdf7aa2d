/**
 * HTTP(S) requests from a back end to the server it reads (another metrics API server, Sysdig's API):
 * a base URL with an optional path prefix, its CA, a client certificate or a bearer token, a keep-alive
 * agent and a deadline. Node's `https` rather than `fetch`: Node 20's fetch takes no per-request CA or
 * client certificate without installing undici.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface UpstreamOptions {
  /** `https://host:port` (or `http://`), optionally with a path prefix. */
  readonly url: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Read on every request, so a rotated token is picked up. Sent as `Authorization: Bearer`. */
  readonly token?: () => Promise<string>;
  /** Per attempt: no answer within this long rejects. */
  readonly timeoutMs: number;
  /** Default `metrics-adapter`. */
  readonly userAgent?: string;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface UpstreamRequest {
  readonly method?: 'GET' | 'POST';
  /** Sent as `application/json`. */
  readonly json?: unknown;
  readonly signal?: AbortSignal;
  /** Overrides `timeoutMs` for this request, such as what is left of a caller's deadline. */
  readonly timeoutMs?: number;
}

export interface UpstreamClient {
  /** Resolves with any HTTP answer; rejects only when no answer came (refused, reset, deadline). */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<UpstreamResponse>;
  /** As `get`, with a method and a JSON body. */
  request(pathAndQuery: string, init: UpstreamRequest): Promise<UpstreamResponse>;
  close(): void;
}

export function createUpstreamClient(options: UpstreamOptions): UpstreamClient {
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/$/, '');
  const secure = base.protocol === 'https:';
  const tls = {
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.cert !== undefined ? { cert: options.cert } : {}),
    ...(options.key !== undefined ? { key: options.key } : {}),
  };
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxSockets: 32, ...tls })
    : new HttpAgent({ keepAlive: true, maxSockets: 32 });
  const send = secure ? httpsRequest : httpRequest;

  async function request(pathAndQuery: string, init: UpstreamRequest): Promise<UpstreamResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': options.userAgent ?? 'metrics-adapter',
    };
    if (options.token !== undefined) headers.authorization = `Bearer ${(await options.token()).trim()}`;
    const body = init.json === undefined ? undefined : Buffer.from(JSON.stringify(init.json));
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    const timeoutMs = init.timeoutMs ?? options.timeoutMs;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const req = send(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path: prefix + pathAndQuery,
          method: init.method ?? 'GET',
          headers,
          agent,
          timeout: timeoutMs,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    get: (pathAndQuery, signal) => request(pathAndQuery, signal ? { signal } : {}),
    request,
    close: () => agent.destroy(),
  };
}
