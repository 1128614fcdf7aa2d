import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateCertificates } from './generate-certificates.js';
import { ensureSelfSignedCertificate, type ServingCertificate } from './self-signed-certificate.js';
import { collectSubjectAltNames } from './subject-alt-names.js';

/** GET / over real TLS, trusting only `ca`; resolves with the status or rejects with the TLS error. */
function fetchStatus(port: number, ca: string, servername?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      port,
      path: '/',
      ca,
      agent: false,
      ...(servername === undefined ? {} : { servername }),
    };
    get(options, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('a node:https server with the generated certificate', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let serving: ServingCertificate;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-tls-'));
    serving = await ensureSelfSignedCertificate({ certDir: dir, hosts: ['metrics.custom-metrics.svc'] });
    server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  test('fails the handshake for a client that trusts another CA', async () => {
    const { caPem: otherCa } = await generateCertificates({
      names: collectSubjectAltNames([]),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    await assert.rejects(fetchStatus(port, otherCa, 'localhost'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('fails the handshake for a name the certificate does not carry', async () => {
    await assert.rejects(fetchStatus(port, serving.caPem, 'metrics.other.svc'), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  test('answers a client that trusts its CA, as localhost, as the Service name and by IP', async () => {
    assert.equal(await fetchStatus(port, serving.caPem, 'localhost'), 200);
    assert.equal(await fetchStatus(port, serving.caPem, 'metrics.custom-metrics.svc'), 200);
    assert.equal(await fetchStatus(port, serving.caPem), 200);
  });
});
