/**
 * A certificate authority held in memory and the certificates it issues: serving certificates
 * (serverAuth), client certificates (clientAuth, CN = user, O = groups, as Kubernetes reads them),
 * or both. generateCertificates builds on it; tests use it to make front-proxy and client-CA PKIs.
 *
 * Why @peculiar/x509: see generate-certificates.ts. It is imported lazily, after reflect-metadata.
 * @module
 */
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type CertificateUsage = 'serverAuth' | 'clientAuth';

export interface CertificateAuthorityOptions {
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface IssueCertificateOptions {
  readonly commonName: string;
  /** Subject O values; Kubernetes reads them as the groups of a client certificate. */
  readonly organizations?: readonly string[];
  /** Extended key usages; an empty list leaves the extension out (any usage, as Go reads it). */
  readonly usages: readonly CertificateUsage[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

export interface CertificateAuthority {
  readonly certPem: string;
  issue(options: IssueCertificateOptions): Promise<IssuedCertificate>;
}

/**
 * NB: Go (x509negativeserial, 1.23+) rejects negative serials and DER rejects a non-minimal INTEGER, so the top byte is
 * 0x40–0x7f.
 */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function loadX509() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

const generateKeys = () => webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);

/** A new ECDSA P-256 CA (CA:true, pathlen 0, keyCertSign). Its key lives only in the returned object. */
export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  const x509 = await loadX509();
  const crypto = webcrypto;
  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: [{ CN: [options.commonName] }],
      notBefore: options.notBefore,
      notAfter: options.notAfter,
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
  return {
    certPem: pem(ca.toString('pem')),
    async issue(issue) {
      const keys = await generateKeys();
      const altNames = [
        ...(issue.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(issue.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const usageOids = { serverAuth: x509.ExtendedKeyUsage.serverAuth, clientAuth: x509.ExtendedKeyUsage.clientAuth };
      const subject = [{ CN: [issue.commonName] }, ...(issue.organizations ?? []).map((o) => ({ O: [o] }))];
      const certificate = await x509.X509CertificateGenerator.create(
        {
          serialNumber: serialNumber(),
          subject,
          issuer: ca.subjectName,
          notBefore: issue.notBefore,
          notAfter: issue.notAfter,
          publicKey: keys.publicKey,
          signingKey: caKeys.privateKey,
          signingAlgorithm: algorithm,
          extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            ...(issue.usages.length > 0
              ? [new x509.ExtendedKeyUsageExtension(issue.usages.map((u) => usageOids[u]))]
              : []),
            ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
            await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
          ],
        },
        crypto,
      );
      const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
      return { certPem: pem(certificate.toString('pem')), keyPem: pem(keyPem) };
    },
  };
}

/** One trailing newline, as OpenSSL writes PEM, so `cat a.crt b.crt` stays a valid bundle. */
function pem(text: string): string {
  return `${text.replace(/\r\n/g, '\n').trimEnd()}\n`;
}
