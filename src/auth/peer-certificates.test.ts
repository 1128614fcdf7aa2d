import assert from 'node:assert/strict';
import { connect, createSecureServer, type Http2ServerRequest } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createCertificateAuthority } from '../certs/certificate-authority.js';
import { generateCertificates } from '../certs/generate-certificates.js';
import { collectSubjectAltNames } from '../certs/subject-alt-names.js';
import { connectionOf, peerCertificates } from './peer-certificates.js';

test('over HTTP/2 the client chain is read through the session, once per connection, not per stream', async () => {
  const now = Date.now();
  const valid = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) };
  const [serving, ca] = await Promise.all([
    generateCertificates({ names: collectSubjectAltNames([]), ...valid }),
    createCertificateAuthority({ commonName: 'client-ca', ...valid }),
  ]);
  const client = await ca.issue({ commonName: 'alice', usages: ['clientAuth'], ...valid });
  const seen: { chain: readonly unknown[]; perStream: boolean }[] = [];
  const server = createSecureServer(
    { key: serving.keyPem, cert: serving.certPem, requestCert: true, rejectUnauthorized: false, allowHTTP1: true },
    (request: Http2ServerRequest, response) => {
      const chain = peerCertificates(connectionOf(request as unknown as Parameters<typeof connectionOf>[0]));
      seen.push({
        chain,
        perStream:
          connectionOf(request as unknown as Parameters<typeof connectionOf>[0]) === (request.socket as unknown),
      });
      response.end(chain[0]?.subject ?? 'none');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const session = connect(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, {
    ca: serving.caPem,
    servername: 'localhost',
    cert: client.certPem,
    key: client.keyPem,
  });
  try {
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': '/' });
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.once('end', () => resolve(body));
        stream.once('error', reject);
      });
    assert.deepEqual([await get(), await get()], ['CN=alice', 'CN=alice']);
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.chain, seen[1]!.chain, 'the same parsed chain for both streams');
    assert.equal(seen[0]!.perStream, false);
  } finally {
    session.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
