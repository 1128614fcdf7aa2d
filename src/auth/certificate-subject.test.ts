import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { createCertificateAuthority } from '../certs/certificate-authority.js';
import { certificateSubject } from './certificate-subject.js';
import { verifyClientCertificate } from './verify-client-certificate.js';

const window = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };

test('certificateSubject reads CN and every O, including characters Node escapes in its display text', async () => {
  const ca = await createCertificateAuthority({ commonName: 'ca', ...window });
  const issued = await ca.issue({
    commonName: 'system:node:ip-10-0-0-1',
    organizations: ['system:nodes', 'a+b=c, d'],
    usages: ['clientAuth'],
    ...window,
  });
  const certificate = new X509Certificate(issued.certPem);
  assert.deepEqual(certificateSubject(certificate.raw), {
    commonName: 'system:node:ip-10-0-0-1',
    organizations: ['system:nodes', 'a+b=c, d'],
  });
  assert.throws(() => certificateSubject(new Uint8Array([0x30, 0x05, 0x01])));
});

test('verifyClientCertificate wants the chain to a bundled root, client auth, and validity', async () => {
  const [ca, other] = await Promise.all([
    createCertificateAuthority({ commonName: 'ca', ...window }),
    createCertificateAuthority({ commonName: 'other', ...window }),
  ]);
  const roots = [new X509Certificate(ca.certPem)];
  const chain = async (options: Parameters<typeof ca.issue>[0], issuer = ca) => [
    new X509Certificate((await issuer.issue(options)).certPem),
  ];
  const base = { commonName: 'u', usages: ['clientAuth'] as const, ...window };
  assert.equal(verifyClientCertificate(await chain(base), roots).ok, true);
  assert.equal(
    verifyClientCertificate(await chain({ ...base, usages: [] }), roots).ok,
    true,
    'no EKU extension means any usage, as in Go',
  );
  const reasons = [
    verifyClientCertificate(await chain(base, other), roots),
    verifyClientCertificate(await chain({ ...base, usages: ['serverAuth'] }), roots),
    verifyClientCertificate(
      await chain({ ...base, notBefore: new Date(Date.now() - 7_200_000), notAfter: new Date(Date.now() - 3_600_000) }),
      roots,
    ),
    verifyClientCertificate([], roots),
  ].map((result) => (result.ok ? 'ok' : result.reason.replace(/: current time .*/, '')));
  assert.deepEqual(reasons, [
    'x509: certificate signed by unknown authority',
    'x509: certificate specifies an incompatible key usage',
    'x509: certificate has expired or is not yet valid',
    'no client certificate',
  ]);
});
