/**
 * Certificate rotation over real TLS: new files on disk are served to new connections, and a
 * connection opened before the rotation keeps working.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { Agent, request, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateCertificates } from '../../src/certs/generate-certificates.js';
import { collectSubjectAltNames } from '../../src/certs/subject-alt-names.js';
import { createSilentLogger } from '../../src/log/index.js';
import { reloadTlsOnChange } from '../../src/server/tls-reload.js';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';

function get(
  port: number,
  ca: string[],
  agent: Agent | false,
): Promise<{ status: number; fingerprint: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/healthz', ca, servername: 'localhost', agent }, (res) => {
      res.resume();
      const socket = res.socket as TLSSocket;
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, fingerprint: socket.getPeerCertificate().fingerprint256, socket }),
      );
    })
      .on('error', reject)
      .end();
  });
}

test('a rotated --tls-cert-file is served to new connections without dropping open ones', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-tls-reload-'));
  const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };
  const [first, second] = await Promise.all(
    [0, 1].map(() => generateCertificates({ names: collectSubjectAltNames([]), ...window })),
  );
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  await writeFile(certFile, first!.certPem);
  await writeFile(keyFile, first!.keyPem);
  const adapter = await createMemoryAdapter({}, { tls: { key: first!.keyPem, cert: first!.certPem } });
  const { port } = await adapter.listen({ port: 0, host: '127.0.0.1' });
  const watch = reloadTlsOnChange(
    adapter.server.server as HttpsServer,
    { certFile, keyFile, certPem: first!.certPem, keyPem: first!.keyPem },
    createSilentLogger(),
    50,
  );
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  const cas = [first!.caPem, second!.caPem];
  try {
    const before = await get(port, cas, keepAlive);
    assert.equal(before.status, 200);
    // NB: written beside and renamed, as a Secret volume swaps its files.
    await writeFile(`${keyFile}.new`, second!.keyPem);
    await writeFile(`${certFile}.new`, second!.certPem);
    await rename(`${keyFile}.new`, keyFile);
    await rename(`${certFile}.new`, certFile);
    let fresh = await get(port, cas, false);
    for (let i = 0; i < 200 && fresh.fingerprint === before.fingerprint; i++) {
      await sleep(25);
      fresh = await get(port, cas, false);
    }
    assert.notEqual(fresh.fingerprint, before.fingerprint, 'new connections get the new certificate');
    const again = await get(port, cas, keepAlive);
    assert.equal(again.status, 200);
    assert.equal(again.socket, before.socket, 'the open connection was kept');
    assert.equal(again.fingerprint, before.fingerprint);
  } finally {
    keepAlive.destroy();
    watch.close();
    await adapter.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the server negotiates TLS 1.3, and only forward-secret AEAD suites on TLS 1.2', async () => {
  const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };
  const certs = await generateCertificates({ names: collectSubjectAltNames([]), ...window });
  const adapter = await createMemoryAdapter({}, { tls: { key: certs.keyPem, cert: certs.certPem } });
  const { port } = await adapter.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { socket } = await get(port, [certs.caPem], false);
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    const tls12 = await new Promise<string | null>((resolve, reject) => {
      request(
        {
          host: '127.0.0.1',
          port,
          path: '/healthz',
          ca: certs.caPem,
          servername: 'localhost',
          agent: false,
          maxVersion: 'TLSv1.2',
        },
        (res) => {
          res.resume();
          resolve((res.socket as TLSSocket).getCipher().name);
        },
      )
        .on('error', reject)
        .end();
    });
    assert.match(tls12 ?? '', /^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
  } finally {
    await adapter.close();
  }
});
