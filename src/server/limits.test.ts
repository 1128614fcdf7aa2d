/** The client-error handler and the Node server options derived from the limits. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createClientErrorHandler, createConnectHandler, defaultServerLimits, nodeServerOptions } from './limits.js';

function answerTo(code: string | undefined): string {
  const socket = new PassThrough();
  let written = '';
  socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const error = Object.assign(new Error('Parse Error'), code === undefined ? {} : { code });
  createClientErrorHandler({ ...defaultServerLimits, maxRequestHeaderBytes: 8192 })(error, socket);
  return written;
}

test('a parser error is answered with a Status of the matching code, and the connection closes', () => {
  const cases: [string | undefined, number, string][] = [
    ['HPE_HEADER_OVERFLOW', 431, 'request header fields too large: limit is 8192 bytes'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'the client did not send the whole request in time'],
    ['HPE_INVALID_METHOD', 400, 'malformed HTTP request: Parse Error'],
  ];
  for (const [code, status, message] of cases) {
    const [head = '', body = ''] = answerTo(code).split('\r\n\r\n');
    assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), String(code));
    assert.match(head, /\r\nconnection: close/);
    assert.match(head, new RegExp(`content-length: ${Buffer.byteLength(body)}`));
    const parsed = JSON.parse(body) as { kind: string; code: number; message: string };
    assert.deepEqual([parsed.kind, parsed.code, parsed.message], ['Status', status, message]);
  }
});

test('a CONNECT is answered 405 after the answers queued before it, and the connection closes', () => {
  const socket = new PassThrough();
  let written = '';
  socket.on('data', (chunk: Buffer) => (written += chunk.toString()));
  createConnectHandler(() => socket.write('queued;'))({ httpVersionMajor: 1 }, socket);
  const [head = '', body = ''] = written.split('\r\n\r\n');
  assert.match(head, /^queued;HTTP\/1\.1 405 Method Not Allowed\r\n/);
  assert.match(head, /\r\nconnection: close/);
  const parsed = JSON.parse(body) as { reason: string; code: number };
  assert.deepEqual([parsed.reason, parsed.code], ['MethodNotAllowed', 405]);
  assert.equal(socket.writableEnded, true);
});

test('a reset connection gets nothing written', () => {
  assert.equal(answerTo('ECONNRESET'), '');
});

test('the header timeout is at most 32 s and never above the request timeout; Node checks them often enough', () => {
  assert.deepEqual(nodeServerOptions(defaultServerLimits), {
    maxHeaderSize: 65536,
    headersTimeout: 32_000,
    requestTimeout: 60_000,
    connectionsCheckingInterval: 1000,
  });
  const tight = nodeServerOptions({ ...defaultServerLimits, requestTimeoutMs: 2000 });
  assert.equal(tight.headersTimeout, 2000);
  assert.equal(tight.connectionsCheckingInterval, 500);
});
