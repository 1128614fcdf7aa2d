/**
 * Builds a fresh certificate authority and a serving certificate signed by it, all in memory.
 *
 * Why @peculiar/x509: it is maintained, typed, and signs through WebCrypto, so keys are ECDSA P-256
 * made by Node's native crypto: the whole pair takes tens of milliseconds. node-forge, the other
 * common choice, signs only with RSA in pure JavaScript: two RSA-2048 keys plus two signatures
 * cost 0.5–1 s, and the key generation time varies. The price of @peculiar/x509 is that its
 * dependency injection (tsyringe) throws at import unless a global `Reflect` metadata polyfill is
 * loaded first. Both are therefore imported here, lazily and in that order, so the global
 * `Reflect.getMetadata` and friends appear only in a process that generates certificates; a server
 * given --tls-cert-file, or one reusing certificates from --cert-dir, never loads either.
 * @module
 */
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import type { SubjectAltNames } from './subject-alt-names.js';

export interface GenerateCertificatesOptions {
  readonly names: SubjectAltNames;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Subject CommonName of the serving certificate. Clients check SANs, not this. */
  readonly commonName?: string;
}

export interface GeneratedCertificates {
  readonly caPem: string;
  readonly certPem: string;
  /** PKCS#8 PEM of the serving certificate's key. The CA's key is dropped, so nothing else can be signed with it. */
  readonly keyPem: string;
}

/** NB: Go (x509negativeserial, 1.23+) rejects negative serials and DER rejects a non-minimal INTEGER, so the top byte is 0x40–0x7f. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/**
 * A new ECDSA P-256 CA (CA:true, pathlen 0, keyCertSign) and a serving certificate it signed
 * (serverAuth, SANs from `names`), both valid from `notBefore` to `notAfter`. Writes nothing.
 */
export async function generateCertificates(options: GenerateCertificatesOptions): Promise<GeneratedCertificates> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto;
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const generateKeys = () => crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const [caKeys, servingKeys] = await Promise.all([generateKeys(), generateKeys()]);
  const { notBefore, notAfter } = options;

  // NB: client-go cert.GenerateSelfSignedCertKey names its CA "<host>-ca@<unix time>" so that two
  // generations never share an issuer name; clients that cached the old CA then fail clearly.
  const caName = [{ CN: [`metrics-adapter-ca@${Math.floor(Date.now() / 1000)}`] }];
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: caName,
      notBefore,
      notAfter,
      keys: caKeys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const altNames = [
    ...options.names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...options.names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const serving = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: [{ CN: [options.commonName ?? 'metrics-adapter'] }],
      issuer: ca.subjectName,
      notBefore,
      notAfter,
      publicKey: servingKeys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(altNames),
        await x509.SubjectKeyIdentifierExtension.create(servingKeys.publicKey, false, crypto),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const keyPem = KeyObject.from(servingKeys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { caPem: pem(ca.toString('pem')), certPem: pem(serving.toString('pem')), keyPem: pem(keyPem) };
}

/** One trailing newline, as OpenSSL writes PEM, so `cat a.crt b.crt` stays a valid bundle. */
function pem(text: string): string {
  return `${text.replace(/\r\n/g, '\n').trimEnd()}\n`;
}
