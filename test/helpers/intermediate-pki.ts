/**
 * Test PKI with a hierarchy: a root CA, an intermediate CA it signed (valid, and an expired twin with
 * the same name and key), and front-proxy client certificates issued by the intermediate, as a
 * cluster whose front-proxy CA is a sub-CA of a company root has. src/certs only makes one-level CAs.
 * @module
 */
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface ChainPki {
  readonly rootPem: string;
  readonly intermediatePem: string;
  readonly expiredIntermediatePem: string;
  /** Issued by the intermediate (clientAuth, CN front-proxy-client). */
  readonly leaf: { readonly certPem: string; readonly keyPem: string };
}

const serial = () => {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
};
const pem = (certificate: x509.X509Certificate) => `${certificate.toString('pem').replace(/\r\n/g, '\n').trimEnd()}\n`;
const keys = () =>
  webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;

export async function createChainPki(commonName: string): Promise<ChainPki> {
  const now = Date.now();
  const valid = { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000) };
  const expired = { notBefore: new Date(now - 2 * 86_400_000), notAfter: new Date(now - 86_400_000) };
  const [rootKeys, intermediateKeys, leafKeys] = await Promise.all([keys(), keys(), keys()]);
  const caUsage = new x509.KeyUsagesExtension(
    x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
    true,
  );
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=test-root-ca',
    ...valid,
    keys: rootKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      caUsage,
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = async (validity: typeof valid) =>
    x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: 'CN=test-front-proxy-intermediate-ca',
      issuer: root.subject,
      ...validity,
      publicKey: intermediateKeys.publicKey,
      signingKey: rootKeys.privateKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        caUsage,
        await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
      ],
    });
  const [good, old] = await Promise.all([intermediate(valid), intermediate(expired)]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${commonName}`,
    issuer: good.subject,
    ...valid,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(intermediateKeys.publicKey),
    ],
  });
  return {
    rootPem: pem(root),
    intermediatePem: pem(good),
    expiredIntermediatePem: pem(old),
    leaf: {
      certPem: pem(leaf),
      keyPem: `${KeyObject.from(leafKeys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString().trimEnd()}\n`,
    },
  };
}
