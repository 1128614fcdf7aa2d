import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateError } from './certificate-error.js';
import { generateCertificates, type GeneratedCertificates } from './generate-certificates.js';
import { loadCertificateFiles } from './load-certificate-files.js';
import { collectSubjectAltNames } from './subject-alt-names.js';

describe('loadCertificateFiles', () => {
  let dir: string;
  let good: GeneratedCertificates;
  let other: GeneratedCertificates;
  let count = 0;
  const file = async (text: string) => {
    const path = join(dir, `file-${++count}.pem`);
    await writeFile(path, text);
    return path;
  };
  const rejectsWith = async (
    certText: string | undefined,
    keyText: string | undefined,
    message: (cert: string, key: string) => string,
  ) => {
    const cert = certText === undefined ? join(dir, 'missing.crt') : await file(certText);
    const key = keyText === undefined ? join(dir, 'missing.key') : await file(keyText);
    await assert.rejects(loadCertificateFiles(cert, key), (error: unknown) => {
      assert.ok(error instanceof CertificateError, String(error));
      assert.equal(error.code, 'CertificateError');
      assert.equal(error.message, message(cert, key));
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  };
  const generate = (notBefore: string, notAfter: string) =>
    generateCertificates({
      names: collectSubjectAltNames([]),
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-load-'));
    const now = Date.now();
    [good, other] = await Promise.all([
      generateCertificates({
        names: collectSubjectAltNames([]),
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 86_400_000),
      }),
      generateCertificates({
        names: collectSubjectAltNames([]),
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 86_400_000),
      }),
    ]);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('names a certificate file it cannot read', async () => {
    await rejectsWith(undefined, 'x', (cert) => `cannot read the certificate file ${cert}: no such file or directory`);
  });

  test('names a key file it cannot read', async () => {
    await rejectsWith(
      good.certPem,
      undefined,
      (_, key) => `cannot read the private key file ${key}: no such file or directory`,
    );
  });

  test('says when a file is a directory', async () => {
    await assert.rejects(loadCertificateFiles(dir, dir), {
      message: `cannot read the certificate file ${dir}: it is a directory`,
    });
  });

  test('says when the certificate file is not PEM', async () => {
    await rejectsWith(
      'hello',
      good.keyPem,
      (cert) => `the certificate file ${cert} is not PEM (expected -----BEGIN CERTIFICATE-----)`,
    );
    await rejectsWith(
      '',
      good.keyPem,
      (cert) => `the certificate file ${cert} is not PEM (expected -----BEGIN CERTIFICATE-----)`,
    );
  });

  test('says when the key file is not PEM', async () => {
    await rejectsWith(
      good.certPem,
      'hello',
      (_, key) => `the private key file ${key} is not PEM (expected -----BEGIN PRIVATE KEY-----)`,
    );
  });

  test('says when the certificate file holds no certificate, hinting at swapped flags', async () => {
    await rejectsWith(
      good.keyPem,
      good.certPem,
      (cert) =>
        `the certificate file ${cert} holds no certificate (found PRIVATE KEY; are --tls-cert-file and --tls-private-key-file swapped?)`,
    );
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    await rejectsWith(
      publicKey,
      good.keyPem,
      (cert) => `the certificate file ${cert} holds no certificate (found PUBLIC KEY)`,
    );
  });

  test('says when the key file holds no private key', async () => {
    await rejectsWith(
      good.certPem,
      good.caPem,
      (_, key) => `the private key file ${key} holds no private key (found CERTIFICATE)`,
    );
  });

  test('says when the certificate does not parse', async () => {
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const cert = await file(broken);
    await assert.rejects(loadCertificateFiles(cert, await file(good.keyPem)), {
      name: 'CertificateError',
      message: new RegExp(`^the certificate in ${cert} cannot be parsed: `),
    });
  });

  test('says when the key is encrypted', async () => {
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    await rejectsWith(
      good.certPem,
      encrypted,
      (_, key) => `the private key in ${key} is encrypted; the server needs it unencrypted`,
    );
  });

  test('says when the key does not match the certificate', async () => {
    await rejectsWith(
      good.certPem,
      other.keyPem,
      (cert, key) => `the private key in ${key} does not match the certificate in ${cert}`,
    );
  });

  test('says when the certificate expired', async () => {
    const old = await generate('2024-01-01T00:00:00Z', '2024-01-02T03:04:05Z');
    await rejectsWith(
      old.certPem,
      old.keyPem,
      (cert) => `the certificate in ${cert} expired at 2024-01-02T03:04:05.000Z`,
    );
  });

  test('says when the certificate is not valid yet', async () => {
    const future = await generate('2099-05-06T07:08:09Z', '2100-01-01T00:00:00Z');
    await rejectsWith(
      future.certPem,
      future.keyPem,
      (cert) => `the certificate in ${cert} is not valid until 2099-05-06T07:08:09.000Z`,
    );
  });

  test('loads a matching pair, chain included, as written', async () => {
    const chain = good.certPem + good.caPem;
    const certFile = await file(chain);
    const keyFile = await file(good.keyPem);
    const loaded = await loadCertificateFiles(certFile, keyFile);
    assert.deepEqual(loaded, { certPem: chain, keyPem: good.keyPem, certFile, keyFile, notAfter: loaded.notAfter });
    assert.ok(loaded.notAfter.getTime() > Date.now());
  });
});
