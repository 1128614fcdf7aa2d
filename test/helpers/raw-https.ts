/**
 * Raw HTTP/1.1 over real TLS, for tests that must send what no well-behaved client sends: paths
 * with bytes node:https refuses, headers dribbled a byte at a time, oversized headers and bodies.
 * @module
 */
import { connect, type TLSSocket } from 'node:tls';

export interface RawHttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A TLS connection to `baseUrl` (`https://host:port`), verified against `ca`, after the handshake. */
export function openTls(baseUrl: string, ca: string): Promise<TLSSocket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername: 'localhost' }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Reads one response from `socket`: the head, then `content-length` bytes (or everything up to
 * close when there is none). Rejects when the connection closes before a whole response arrived.
 */
export function readResponse(socket: TLSSocket, timeoutMs = 15_000): Promise<RawHttpResponse> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `no whole response within ${timeoutMs} ms; got ${JSON.stringify(buffer.toString('latin1').slice(0, 200))}`,
          ),
        ),
      timeoutMs,
    );
    const parse = (closed: boolean): RawHttpResponse | undefined => {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine = '', ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = headers['content-length'];
      const body = buffer.subarray(end + 4);
      if (length === undefined ? !closed : body.length < Number(length)) return undefined;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      return {
        status,
        headers,
        body: body.subarray(0, length === undefined ? body.length : Number(length)).toString('utf8'),
      };
    };
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const response = parse(false);
      if (response) finish(undefined, response);
    };
    const onClose = () => {
      const response = parse(true);
      if (response) finish(undefined, response);
      else
        finish(
          new Error(
            `connection closed before a whole response; got ${JSON.stringify(buffer.toString('latin1').slice(0, 200))}`,
          ),
        );
    };
    const onError = () => undefined; // NB: a reset after the answer is fine; 'close' follows and decides.
    function finish(error: Error | undefined, response?: RawHttpResponse) {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose).off('error', onError);
      if (error) reject(error);
      else resolve(response!);
    }
    socket.on('data', onData).on('close', onClose).on('error', onError);
  });
}

/** Resolves when `socket` is closed (by either side), or false after `timeoutMs`. */
export function closed(socket: TLSSocket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => undefined);
  });
}

/** Sends one request on a fresh connection and reads the answer; the connection is closed after. */
export async function rawRequest(
  baseUrl: string,
  ca: string,
  request: string | Buffer,
  timeoutMs?: number,
): Promise<RawHttpResponse> {
  const socket = await openTls(baseUrl, ca);
  try {
    const response = readResponse(socket, timeoutMs);
    socket.write(request);
    return await response;
  } finally {
    socket.destroy();
  }
}
