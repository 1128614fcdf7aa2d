/**
 * Loads a user's own serving certificate and key (--tls-cert-file, --tls-private-key-file) and checks
 * them before the server starts, so a wrong file is one clear line at startup rather than a TLS
 * handshake failure that only clients see.
 * @module
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CertificateError, describeFileError } from './certificate-error.js';
import { pemBlocks, type PemBlock } from './pem.js';
import { validityOf } from './validity.js';

export interface LoadedCertificate {
  /** The certificate file as read: the serving certificate first, then any intermediates. */
  readonly certPem: string;
  readonly keyPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** When the serving certificate expires. */
  readonly notAfter: Date;
}

/**
 * Reads both files and checks that the first certificate parses, is valid now, and matches the key.
 * Throws CertificateError, naming the file, when a file is unreadable, not PEM, holds no certificate
 * (or no key), cannot be parsed, or when the key does not match or the certificate has expired.
 */
export async function loadCertificateFiles(certFile: string, keyFile: string): Promise<LoadedCertificate> {
  // NB: allSettled, so that when both files are unreadable the certificate's error is the one reported, every time.
  const [certRead, keyRead] = await Promise.allSettled([
    readText(certFile, 'certificate file'),
    readText(keyFile, 'private key file'),
  ]);
  if (certRead.status === 'rejected') throw certRead.reason;
  if (keyRead.status === 'rejected') throw keyRead.reason;
  const certPem = certRead.value;
  const keyPem = keyRead.value;
  const certificate = parseCertificate(certFile, pemBlocks(certPem));
  const key = parsePrivateKey(keyFile, pemBlocks(keyPem));
  if (!certificate.checkPrivateKey(key)) {
    throw new CertificateError(`the private key in ${keyFile} does not match the certificate in ${certFile}`);
  }
  const { notBefore, notAfter } = validityOf(certificate);
  const now = Date.now();
  if (notAfter.getTime() < now)
    throw new CertificateError(`the certificate in ${certFile} expired at ${notAfter.toISOString()}`);
  if (notBefore.getTime() > now)
    throw new CertificateError(`the certificate in ${certFile} is not valid until ${notBefore.toISOString()}`);
  return { certPem, keyPem, certFile, keyFile, notAfter };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CertificateError(`cannot read the ${what} ${file}: ${describeFileError(error)}`, { cause: error });
  }
}

function parseCertificate(file: string, blocks: readonly PemBlock[]): X509Certificate {
  if (blocks.length === 0)
    throw new CertificateError(`the certificate file ${file} is not PEM (expected -----BEGIN CERTIFICATE-----)`);
  const block = blocks.find((b) => b.label === 'CERTIFICATE');
  if (block === undefined) {
    const found = blocks.map((b) => b.label).join(', ');
    const hint = found.includes('PRIVATE KEY') ? '; are --tls-cert-file and --tls-private-key-file swapped?' : '';
    throw new CertificateError(`the certificate file ${file} holds no certificate (found ${found}${hint})`);
  }
  try {
    return new X509Certificate(block.text);
  } catch (error) {
    throw new CertificateError(`the certificate in ${file} cannot be parsed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function parsePrivateKey(file: string, blocks: readonly PemBlock[]): KeyObject {
  if (blocks.length === 0)
    throw new CertificateError(`the private key file ${file} is not PEM (expected -----BEGIN PRIVATE KEY-----)`);
  const block = blocks.find((b) => b.label.endsWith('PRIVATE KEY'));
  if (block === undefined) {
    const found = blocks.map((b) => b.label).join(', ');
    throw new CertificateError(`the private key file ${file} holds no private key (found ${found})`);
  }
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.text.includes('Proc-Type: 4,ENCRYPTED')) {
    throw new CertificateError(`the private key in ${file} is encrypted; the server needs it unencrypted`);
  }
  try {
    return createPrivateKey(block.text);
  } catch (error) {
    throw new CertificateError(`the private key in ${file} cannot be parsed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
