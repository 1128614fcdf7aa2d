/**
 * Slow and hostile clients against the real `metrics-adapter serve` over TLS: slowloris, oversized
 * headers, 10 MB bodies, more writes in flight than allowed, a connection cap, and many idle
 * connections. Through all of it a well-behaved client keeps getting its 200s.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as connectHttp2, constants as http2Constants } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';
import { closed, openTls, rawRequest, readResponse } from '../helpers/raw-https.js';
import { assertWellFormed } from './answer-invariants.js';
import { idleConnections } from './sizes.js';

const query = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/h/pods/*/m';
const write = '/write-metrics/namespaces/h/pods/p-1/m';

function assertStatus(
  answer: { status: number; headers: Record<string, string | string[] | undefined>; body: string },
  code: number,
  what: string,
): void {
  assert.equal(answer.status, code, `${what}: ${answer.body}`);
  const contentType = answer.headers['content-type'];
  assertWellFormed({
    method: 'GET',
    url: what,
    status: answer.status,
    contentType: typeof contentType === 'string' ? contentType : undefined,
    body: answer.body,
  });
}

/** A well-behaved client's read still answers 200 with the seeded value. */
async function assertServing(send: ReturnType<typeof createClient>, what: string): Promise<void> {
  const answer = await send(query);
  assert.equal(answer.status, 200, `${what}: ${answer.body}`);
  assert.match(answer.body, /"value":"5"/, what);
}

describe('hostile clients against the serve process, with tight limits', () => {
  let adapter: AdapterProcess;
  let ca: string;
  let send: ReturnType<typeof createClient>;
  before(async () => {
    adapter = await startAdapter([
      '--max-request-header-bytes',
      '8192',
      '--request-timeout',
      '2s',
      '--max-mutating-requests-inflight',
      '2',
      '--max-connections',
      '60',
    ]);
    ca = readFileSync(adapter.caFile, 'utf8');
    send = createClient(adapter.url, adapter.caFile);
    const seeded = await send(`${write}?objectLabels=app%3Dh`, { method: 'POST', body: '"5"' });
    assert.equal(seeded.status, 200, seeded.body);
  });
  after(async () => {
    await adapter?.stop();
  });

  test('headers over --max-request-header-bytes get a 431 Status and the connection closes', async () => {
    const socket = await openTls(adapter.url, ca);
    const answer = readResponse(socket);
    socket.write(`GET ${query} HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(9000)}\r\n\r\n`);
    assertStatus(await answer, 431, 'huge header');
    assert.ok(await closed(socket, 5000), 'the server closes the connection');
    const many = await rawRequest(
      adapter.url,
      ca,
      `GET ${query} HTTP/1.1\r\nhost: localhost\r\n${Array.from({ length: 400 }, (_, i) => `x-h${i}: ${'v'.repeat(20)}\r\n`).join('')}\r\n`,
    );
    assertStatus(many, 431, 'many headers');
    await assertServing(send, 'after huge headers');
  });

  test('a CONNECT gets a 405 Status before the connection closes, not a silent close', async () => {
    const socket = await openTls(adapter.url, ca);
    const answer = readResponse(socket);
    socket.write('CONNECT localhost:443 HTTP/1.1\r\nhost: localhost:443\r\n\r\n');
    const connect = await answer;
    assertStatus(connect, 405, 'CONNECT');
    assert.equal((JSON.parse(connect.body) as { reason: string }).reason, 'MethodNotAllowed');
    assert.ok(await closed(socket, 5000), 'the server closes the connection');
    await assertServing(send, 'after a CONNECT');
    const session = connectHttp2(adapter.url, { ca, servername: 'localhost' });
    try {
      const stream = session.request({ ':method': 'CONNECT', ':authority': 'localhost:443' });
      const [status, body] = await new Promise<[number, string]>((resolve, reject) => {
        let code = 0;
        let text = '';
        stream.on('response', (headers) => (code = Number(headers[':status'])));
        stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve([code, text]));
        stream.on('error', reject);
      });
      assert.equal(status, 405, body);
      assert.equal((JSON.parse(body) as { reason: string }).reason, 'MethodNotAllowed');
    } finally {
      session.close();
    }
  });

  test('slowloris: headers dribbled byte by byte get a 408 Status after --request-timeout, others are served meanwhile', async () => {
    const slow: TLSSocket[] = await Promise.all(Array.from({ length: 10 }, () => openTls(adapter.url, ca)));
    const answers = slow.map((socket) => readResponse(socket, 15_000));
    const text = `GET ${query} HTTP/1.1\r\nhost: localhost\r\nx-slow: ${'s'.repeat(200)}`;
    let sent = 0;
    const dribble = setInterval(() => {
      for (const socket of slow) if (!socket.destroyed) socket.write(text[sent % text.length]!);
      sent++;
    }, 100);
    try {
      for (let i = 0; i < 5; i++) await assertServing(send, `while ${slow.length} clients dribble headers`);
      for (const answer of await Promise.all(answers)) assertStatus(answer, 408, 'slowloris');
      assert.deepEqual(
        await Promise.all(slow.map((s) => closed(s, 5000))),
        slow.map(() => true),
        'every slow connection is closed',
      );
    } finally {
      clearInterval(dribble);
      for (const socket of slow) socket.destroy();
    }
    await assertServing(send, 'after slowloris');
  });

  test('a 10 MB body gets a 413 Status early, with or without content-length, and the server stays fine', async () => {
    const tenMegabytes = 10 * 1024 * 1024;
    for (const framing of ['content-length', 'chunked'] as const) {
      const socket = await openTls(adapter.url, ca);
      const answer = readResponse(socket);
      const lengthHeader =
        framing === 'content-length' ? `content-length: ${tenMegabytes}` : 'transfer-encoding: chunked';
      socket.write(
        `POST ${write} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n${lengthHeader}\r\n\r\n`,
      );
      socket.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 0x31);
      for (let sent = 0; sent < tenMegabytes && !socket.destroyed && socket.writable; sent += chunk.length) {
        const ok = socket.write(
          framing === 'chunked'
            ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
            : chunk,
        );
        if (!ok) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed(socket, 5000)]);
      }
      assertStatus(await answer, 413, `10 MB body (${framing})`);
      socket.destroy();
    }
    const unchanged = await send(`${query}`);
    assert.match(unchanged.body, /"value":"5"/, 'the stored value is unchanged');
    await assertServing(send, 'after 10 MB bodies');
  });

  test('a client gone mid-body is counted as 499, not logged as the adapter failing; nothing is stored', async () => {
    const counted = async (): Promise<number> => {
      const metrics = (await send('/metrics')).body;
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith('metrics_adapter_requests_total{verb="POST"') && l.includes('code="499"'));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const before = await counted();
    for (const gone of ['http/1.1', 'h2'] as const) {
      if (gone === 'http/1.1') {
        const socket = await openTls(adapter.url, ca);
        socket.on('error', () => undefined);
        socket.write(
          `POST ${write} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n"9`,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        socket.destroy();
      } else {
        const session = connectHttp2(adapter.url, { ca, servername: 'localhost' });
        session.on('error', () => undefined);
        const stream = session.request({
          ':method': 'POST',
          ':path': write,
          'content-type': 'application/json',
          'content-length': '100',
        });
        stream.on('error', () => undefined);
        stream.write('"9');
        await new Promise((resolve) => setTimeout(resolve, 200));
        stream.close(http2Constants.NGHTTP2_CANCEL);
        session.close();
      }
    }
    for (let i = 0; i < 50 && (await counted()) < before + 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await counted(), before + 2, 'both writes counted as 499');
    const failures = adapter
      .logs()
      .split('\n')
      .filter((line) => line.includes('"level":50') && line.includes('aborted'));
    assert.deepEqual(failures, [], 'a client that left is not the adapter failing');
    const unchanged = await send(query);
    assert.match(unchanged.body, /"value":"5"/, 'the stored value is unchanged');
  });

  test('a pipelined read is answered before an oversized write after it (413) or headers over the limit (431)', async () => {
    const cases = [
      [
        '413',
        `POST ${write} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${10 * 1024 * 1024}\r\n\r\n"1`,
      ],
      ['431', `GET ${query} HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(9000)}\r\n\r\n`],
    ] as const;
    for (const [code, broken] of cases) {
      const socket = await openTls(adapter.url, ca);
      socket.on('error', () => undefined);
      let received = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      socket.write(`GET ${query} HTTP/1.1\r\nhost: localhost\r\n\r\n${broken}`);
      assert.ok(await closed(socket, 10_000), `the server closes the connection after the ${code}`);
      // NB: a body ends in a newline, and the next answer's status line follows it at once.
      const codes = [...received.matchAll(/(?:^|\n)HTTP\/1\.1 (\d{3}) /g)].map((match) => match[1]);
      assert.deepEqual(codes, ['200', code], received);
      assert.match(received, /"value":"5"/);
    }
    await assertServing(send, 'after pipelined broken requests');
  });

  test('writes beyond --max-mutating-requests-inflight get a 429 Status with Retry-After; reads are not held up', async () => {
    const pending = await Promise.all([0, 1].map(() => openTls(adapter.url, ca)));
    const answers = pending.map((socket) => readResponse(socket));
    for (const socket of pending)
      socket.write(
        `POST ${write} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 3\r\n\r\n`,
      );
    // NB: the two writes are in flight once their headers are parsed; a later write must see them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await send(write, { method: 'POST', body: '"7"' });
    assertStatus(refused, 429, 'third write');
    assert.equal(refused.headers['retry-after'], '1');
    await assertServing(send, 'reads while writes are at their limit');
    for (const socket of pending) socket.write('"5"');
    for (const answer of await Promise.all(answers)) assert.equal(answer.status, 200, answer.body);
    for (const socket of pending) socket.destroy();
    const accepted = await send(write, { method: 'POST', body: '"5"' });
    assert.equal(accepted.status, 200, `a write after the others finished: ${accepted.body}`);
  });

  test('connections beyond --max-connections are refused, and served again once others close', async () => {
    const held = await Promise.all(Array.from({ length: 60 }, () => openTls(adapter.url, ca).catch(() => undefined)));
    const open = held.filter((s): s is TLSSocket => s !== undefined);
    try {
      await assert.rejects(
        rawRequest(adapter.url, ca, `GET ${query} HTTP/1.1\r\nhost: localhost\r\n\r\n`, 5000),
        'one connection too many',
      );
    } finally {
      for (const socket of open) socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await assertServing(send, 'after the held connections closed');
  });
});

describe(`${idleConnections} idle connections against the serve process, default limits`, () => {
  let adapter: AdapterProcess;
  before(async () => {
    adapter = await startAdapter();
  });
  after(async () => {
    await adapter?.stop();
  });

  test('the server keeps answering other clients while many TLS connections sit idle', async () => {
    const ca = readFileSync(adapter.caFile, 'utf8');
    const send = createClient(adapter.url, adapter.caFile);
    assert.equal((await send(`${write}?objectLabels=app%3Dh`, { method: 'POST', body: '"5"' })).status, 200);
    const idle: TLSSocket[] = [];
    try {
      // NB: in batches, so the handshakes do not all queue at once on a 2-core machine.
      for (let opened = 0; opened < idleConnections; opened += 100) {
        idle.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(100, idleConnections - opened) }, () => openTls(adapter.url, ca)),
          )),
        );
      }
      for (const socket of idle) socket.on('error', () => undefined);
      for (let i = 0; i < 20; i++) await assertServing(send, `with ${idle.length} idle connections`);
      assert.equal(
        idle.filter((s) => s.destroyed).length,
        0,
        'idle connections are kept until the header timeout (32 s)',
      );
    } finally {
      for (const socket of idle) socket.destroy();
    }
    await assertServing(send, 'after the idle connections closed');
  });
});
