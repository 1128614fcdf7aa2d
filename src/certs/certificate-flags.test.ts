import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireCertificateFilePair } from './certificate-flags.js';

test('requireCertificateFilePair wants both flags or neither', () => {
  const message = (missing: string) =>
    `--tls-cert-file and --tls-private-key-file must be given together (${missing} is missing)`;
  assert.throws(() => requireCertificateFilePair('a.crt', undefined), {
    name: 'CertificateError',
    message: message('--tls-private-key-file'),
  });
  assert.throws(() => requireCertificateFilePair(undefined, 'a.key'), {
    name: 'CertificateError',
    message: message('--tls-cert-file'),
  });
  assert.equal(requireCertificateFilePair(undefined, undefined), undefined);
  assert.deepEqual(requireCertificateFilePair('a.crt', 'a.key'), { certFile: 'a.crt', keyFile: 'a.key' });
});
