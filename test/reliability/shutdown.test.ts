/**
 * Graceful shutdown of the real `metrics-adapter serve`: on SIGTERM the listening socket closes at
 * once, requests already in flight finish with 200, and the process exits 0 within
 * --shutdown-grace-period, cutting a request that would outlast it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { describe, test } from 'node:test';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { closed, openTls, readResponse } from '../helpers/raw-https.js';

const write = (i: number) =>
  `POST /write-metrics/namespaces/s/pods/p-${i}/m HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 3\r\n\r\n`;

/** Writes whose headers are sent and whose 3-byte body is not: in flight until `finish` sends it. */
async function inFlightWrites(adapter: AdapterProcess, count: number) {
  const ca = readFileSync(adapter.caFile, 'utf8');
  const sockets: TLSSocket[] = await Promise.all(Array.from({ length: count }, () => openTls(adapter.url, ca)));
  const answers = sockets.map((socket) => readResponse(socket, 20_000));
  sockets.forEach((socket, i) => {
    socket.write(write(i));
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    sockets,
    answers,
    finish: () => {
      for (const socket of sockets) socket.write('"1"');
    },
  };
}

function sigterm(adapter: AdapterProcess): {
  exited: Promise<{ code: number | null; afterMs: number }>;
  shuttingDown: Promise<void>;
} {
  const started = performance.now();
  const exited = new Promise<{ code: number | null; afterMs: number }>((resolve) => {
    adapter.child.once('exit', (code) => resolve({ code, afterMs: performance.now() - started }));
  });
  const shuttingDown = new Promise<void>((resolve) => {
    const check = () => (adapter.logs().includes('received SIGTERM') ? resolve() : setTimeout(check, 20));
    check();
  });
  adapter.child.kill('SIGTERM');
  return { exited, shuttingDown };
}

function connectRefused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown on SIGTERM', () => {
  test('requests in flight finish with 200, new connections are refused, the process exits 0 in the grace period', async () => {
    const adapter = await startAdapter(['--shutdown-grace-period', '10s']);
    try {
      const ca = readFileSync(adapter.caFile, 'utf8');
      const idle = await openTls(adapter.url, ca);
      const writes = await inFlightWrites(adapter, 3);
      const { exited, shuttingDown } = sigterm(adapter);
      await shuttingDown;
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.ok(await connectRefused(adapter.url), 'a new connection is refused once SIGTERM is handled');
      assert.ok(await closed(idle, 5000), 'an idle keep-alive connection is closed');
      writes.finish();
      for (const answer of await Promise.all(writes.answers)) {
        assert.equal(answer.status, 200, answer.body);
        assert.match(answer.body, /"status":"Success"/);
      }
      const { code, afterMs } = await exited;
      assert.equal(code, 0, adapter.logs());
      assert.ok(afterMs < 10_000, `exited ${Math.round(afterMs)} ms after SIGTERM, within the 10 s grace period`);
      for (const socket of writes.sockets) socket.destroy();
    } finally {
      await adapter.stop();
    }
  });

  test('a request that outlasts --shutdown-grace-period is cut and the process still exits 0', async () => {
    const adapter = await startAdapter(['--shutdown-grace-period', '1s']);
    try {
      const writes = await inFlightWrites(adapter, 1);
      const cut = assert.rejects(writes.answers[0]!, /connection closed/);
      const { exited } = sigterm(adapter);
      const { code, afterMs } = await exited;
      assert.equal(code, 0, adapter.logs());
      assert.ok(afterMs >= 900, `waited for the grace period, exited after ${Math.round(afterMs)} ms`);
      assert.ok(await closed(writes.sockets[0]!, 5000), 'the unfinished request was cut');
      await cut;
      assert.match(adapter.logs(), /still in flight after the 1s shutdown grace period were cut/);
    } finally {
      await adapter.stop();
    }
  });
});
