/**
 * Answer bodies assembled into the reused memory of the answer pool (src/api/body-pool.ts) reach the client intact
 * when their write is held up: pipelined HTTP/1.1 requests on a connection whose client does not read, and HTTP/2
 * streams held by flow control, while other connections ask for other selections and the pool hands out memory.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import type { ClientHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { createClient } from '../helpers/https-client.js';
import { connectHttp2 } from '../helpers/http2-client.js';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';
import { openTls } from '../helpers/raw-https.js';

/** More selections than a metric's cached answers (32), so most answers are assembled into pooled memory. */
const selections = 40;
const podsPerSelection = 100;

const pathOf = (k: number): string =>
  `/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/requests?labelSelector=app%3Ds-${k}`;

/** Each pod's value names its selection and pod, so an answer holding another answer's bytes shows. */
const podValue = (k: number, j: number): string => `${k * 1000 + j + 1}`;

function checkAnswer(k: number, body: string, where: string): void {
  let parsed: { items: { describedObject: { name: string }; value: string }[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    assert.fail(`${where}: selection ${k}'s answer is not JSON: ${body.slice(0, 120)}`);
  }
  const got = parsed.items.map((item) => `${item.describedObject.name}=${item.value}`).sort();
  const want = Array.from({ length: podsPerSelection }, (_, j) => `s-${k}-${j}=${podValue(k, j)}`).sort();
  assert.deepEqual(got, want, `${where}: selection ${k}`);
}

/** Reads `count` HTTP/1.1 responses with Content-Length from `socket`, in order. */
function readResponses(socket: TLSSocket, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const bodies: string[] = [];
    let buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headEnd = buffer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = buffer.subarray(0, headEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
        if (!head.startsWith('HTTP/1.1 200') || !Number.isInteger(length)) {
          reject(new Error(`unexpected response head: ${head}`));
          return;
        }
        if (buffer.length < headEnd + 4 + length) return;
        bodies.push(buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'));
        buffer = buffer.subarray(headEnd + 4 + length);
        if (bodies.length === count) {
          socket.off('data', onData);
          resolve(bodies);
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('answers from the pooled body memory', () => {
  let pki: AuthPki;
  let ca: string;
  let adapter: Awaited<ReturnType<typeof createMemoryAdapter>>;
  let url: string;

  before(async () => {
    pki = await createAuthPki();
    ca = await readFile(pki.servingCaFile, 'utf8');
    adapter = await createMemoryAdapter({}, { tls: { key: pki.serving.keyPem, cert: pki.serving.certPem } });
    for (let k = 0; k < selections; k++) {
      for (let j = 0; j < podsPerSelection; j++) {
        const written = await adapter.post(
          `/write-metrics/namespaces/default/pods/s-${k}-${j}/requests?objectLabels=app%3Ds-${k}`,
          `"${podValue(k, j)}"`,
        );
        assert.equal(written.statusCode, 200, written.body);
      }
    }
    const address = await adapter.listen({ port: 0, host: '127.0.0.1' });
    url = `https://127.0.0.1:${address.port}`;
  });
  after(async () => {
    await adapter?.close();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  /** Four clients asking for every selection in turn, `rounds` times: the pool's memory is reused meanwhile. */
  async function busyClients(rounds: number): Promise<void> {
    const send = createClient(url, pki.servingCaFile);
    await Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        for (let i = 0; i < rounds * selections; i++) {
          const k = (i + c * 7) % selections;
          const answer = await send(pathOf(k));
          assert.equal(answer.status, 200, answer.body);
          checkAnswer(k, answer.body, `busy client ${c}`);
        }
      }),
    );
  }

  test('pipelined HTTP/1.1 answers held while the client does not read arrive intact', {
    timeout: 60_000,
  }, async () => {
    const socket = await openTls(url, ca);
    try {
      socket.pause();
      const asked = Array.from({ length: 300 }, (_, i) => i % selections);
      // NB: 300 answers of about 19 KB are more than the kernel's buffers hold: the rest wait in the server.
      socket.write(
        asked.map((k) => `GET ${pathOf(k)} HTTP/1.1\r\nhost: localhost\r\naccept: application/json\r\n\r\n`).join(''),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await busyClients(3);
      const answers = readResponses(socket, asked.length);
      socket.resume();
      const bodies = await answers;
      for (const [i, body] of bodies.entries()) checkAnswer(asked[i]!, body, `pipelined answer ${i}`);
    } finally {
      socket.destroy();
    }
  });

  test('HTTP/2 answers held by flow control arrive intact', { timeout: 60_000 }, async () => {
    const session: ClientHttp2Session = await connectHttp2(url, ca);
    try {
      const asked = Array.from({ length: 80 }, (_, i) => (i * 3) % selections);
      const streams = asked.map((k) => {
        const stream = session.request({ ':path': pathOf(k), accept: 'application/json' });
        stream.pause();
        return stream;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await busyClients(2);
      const bodies = await Promise.all(
        streams.map(
          (stream) =>
            new Promise<string>((resolve, reject) => {
              let body = '';
              stream.setEncoding('utf8');
              stream.on('data', (chunk: string) => (body += chunk));
              stream.once('end', () => resolve(body));
              stream.once('error', reject);
              stream.resume();
            }),
        ),
      );
      for (const [i, body] of bodies.entries()) checkAnswer(asked[i]!, body, `HTTP/2 stream ${i}`);
    } finally {
      // NB: destroy, not close: a failed check leaves paused streams that a graceful close would wait for.
      session.destroy();
    }
  });
});
