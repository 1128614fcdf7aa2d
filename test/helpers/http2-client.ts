/**
 * A node:http2 client for end-to-end tests: one TLS session negotiated by ALPN (h2), verified
 * against the adapter's CA, optionally with a client certificate, and raw answers back.
 * @module
 */
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

export interface Http2Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Http2ConnectOptions {
  readonly certificate?: { readonly certPem: string; readonly keyPem: string };
}

export function connectHttp2(
  baseUrl: string,
  ca: string,
  options: Http2ConnectOptions = {},
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(baseUrl, {
      ca,
      servername: 'localhost',
      ...(options.certificate ? { cert: options.certificate.certPem, key: options.certificate.keyPem } : {}),
    });
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      // Errors after the handshake surface on the streams; an unhandled session error would crash the test.
      session.on('error', () => undefined);
      resolve(session);
    });
  });
}

/** One request on `session`; `body` is sent as application/json. */
export function http2Request(
  session: ClientHttp2Session,
  path: string,
  options: { readonly method?: string; readonly headers?: OutgoingHttpHeaders; readonly body?: string } = {},
): Promise<Http2Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request(
      {
        ':method': options.method ?? 'GET',
        ':path': path,
        'user-agent': 'metrics-adapter-e2e',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      { endStream: options.body === undefined },
    );
    let headers: IncomingHttpHeaders = {};
    let body = '';
    stream.setEncoding('utf8');
    stream.once('response', (received) => (headers = received));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.once('end', () => resolve({ status: Number(headers[':status']), headers, body }));
    stream.once('error', reject);
    if (options.body !== undefined) stream.end(options.body);
  });
}

export function closeSession(session: ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) return resolve();
    session.close(() => resolve());
  });
}
