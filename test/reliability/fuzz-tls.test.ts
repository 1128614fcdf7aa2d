/**
 * The fuzz share over real sockets: raw HTTP/1.1 over TLS to the real `metrics-adapter serve`
 * process, including request targets and header bytes that no URL parser lets through, so Node's
 * own parser and the client-error handler are exercised too. Same invariants as fuzz-inject.
 */
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { openTls, readResponse, type RawHttpResponse } from '../helpers/raw-https.js';
import { assertWellFormed } from './answer-invariants.js';
import { fuzzRequest } from './arbitraries.js';
import { fuzzSeed, tlsFuzzRuns } from './sizes.js';

/** Bytes a socket can carry in a request target that a URL parser would refuse or rewrite. */
const rawTargets = fc.oneof(
  fc.constantFrom(
    '*',
    '/apis/../apis',
    '/apis/./x',
    '//apis',
    'apis',
    '/apis#frag',
    '/apis?#',
    '/a b',
    '/\u00e9',
    '/%',
    '/apis/custom.metrics.k8s.io/v1beta2/namespaces/d/pods/*/m?labelSelector=a in (b',
  ),
  fc.string({ unit: 'binary-ascii', maxLength: 30 }).map((s) => `/${s}`),
);

/** One keep-alive connection, reopened whenever the server closes it. */
function createConnection(url: string, ca: string) {
  let socket: TLSSocket | undefined;
  return {
    async send(request: Buffer): Promise<RawHttpResponse> {
      if (socket === undefined || socket.destroyed) socket = await openTls(url, ca);
      const current = socket;
      const response = readResponse(current);
      current.write(request);
      const answer = await response;
      if (answer.headers.connection === 'close') {
        current.destroy();
        socket = undefined;
      }
      return answer;
    },
    close: () => socket?.destroy(),
  };
}

function head(
  method: string,
  target: string,
  headers: Record<string, string | undefined>,
  body: string | undefined,
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'host: localhost'];
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lines.push(`${name}: ${value}`);
  const bytes = body === undefined ? undefined : Buffer.from(body);
  if (bytes !== undefined) lines.push(`content-length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes ?? Buffer.alloc(0)]);
}

describe(`fuzzing over TLS against the serve process (${tlsFuzzRuns} cases per property)`, () => {
  let adapter: AdapterProcess;
  let connection: ReturnType<typeof createConnection>;
  const params = { numRuns: tlsFuzzRuns, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) };
  before(async () => {
    adapter = await startAdapter();
    connection = createConnection(adapter.url, readFileSync(adapter.caFile, 'utf8'));
  });
  after(async () => {
    connection?.close();
    await adapter?.stop();
  });

  test('generated requests: no 5xx, errors are Status with the right code, the process stays up', async (t) => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fuzzRequest.filter((r) => r.method !== 'HEAD'),
        async (request) => {
          const bytes = head(
            request.method,
            request.url,
            { accept: request.accept, 'content-type': request.contentType, 'user-agent': request.userAgent },
            request.body,
          );
          const answer = await connection.send(bytes);
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          assertWellFormed({
            method: request.method,
            url: request.url,
            status: answer.status,
            contentType: answer.headers['content-type'],
            body: answer.body,
          });
        },
      ),
      params,
    );
    t.diagnostic(`statuses seen: ${JSON.stringify(Object.fromEntries(seen))}`);
  });

  test('raw request targets and header bytes: an answer (400 Status when unparseable), never a hang or a 5xx', async (t) => {
    const seen = new Map<number, number>();
    const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'G E T', 'get', ''),
        rawTargets,
        headerValue,
        async (method, target, value) => {
          const bytes = head(method, target, { accept: value, 'x-fuzz': value }, method === 'POST' ? '"1"' : undefined);
          const answer = await connection.send(bytes);
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          assertWellFormed({
            method,
            url: target,
            status: answer.status,
            contentType: answer.headers['content-type'],
            body: answer.body,
          });
        },
      ),
      params,
    );
    t.diagnostic(`statuses seen: ${JSON.stringify(Object.fromEntries(seen))}`);
  });
});
