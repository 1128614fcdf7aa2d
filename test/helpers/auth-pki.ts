/**
 * Test PKI for authentication tests: a front-proxy CA, a client CA and a stranger CA, with the
 * client certificates each case needs, all written into a temp dir, made with src/certs.
 * @module
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, type IssuedCertificate } from '../../src/certs/certificate-authority.js';
import { generateCertificates, type GeneratedCertificates } from '../../src/certs/generate-certificates.js';
import { collectSubjectAltNames } from '../../src/certs/subject-alt-names.js';

export interface AuthPki {
  readonly dir: string;
  readonly proxyCaFile: string;
  readonly clientCaFile: string;
  /** The adapter's serving certificate (for localhost and 127.0.0.1), with its CA. */
  readonly serving: GeneratedCertificates;
  readonly servingCaFile: string;
  /** Front-proxy certificates. */
  readonly proxy: IssuedCertificate;
  readonly proxyExpired: IssuedCertificate;
  readonly proxyServerAuthOnly: IssuedCertificate;
  readonly proxyWrongName: IssuedCertificate;
  /** `front-proxy-client` as CN, but signed by a CA nobody trusts. */
  readonly stranger: IssuedCertificate;
  /** Client-CA users: alice (O=team-a, O=team-b). */
  readonly alice: IssuedCertificate;
  readonly aliceExpired: IssuedCertificate;
  /** Writes `certificate` as cert and key files; returns their paths. */
  writePair(name: string, certificate: IssuedCertificate): Promise<{ certFile: string; keyFile: string }>;
}

export const proxyName = 'front-proxy-client';

export async function createAuthPki(): Promise<AuthPki> {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-auth-'));
  const now = Date.now();
  const valid = { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + 86_400_000) };
  const expired = { notBefore: new Date(now - 86_400_000 * 2), notAfter: new Date(now - 86_400_000) };
  const [proxyCa, clientCa, strangerCa, serving] = await Promise.all([
    createCertificateAuthority({ commonName: 'front-proxy-ca', ...valid }),
    createCertificateAuthority({ commonName: 'client-ca', ...valid }),
    createCertificateAuthority({ commonName: 'stranger-ca', ...valid }),
    generateCertificates({ names: collectSubjectAltNames([]), ...valid }),
  ]);
  const [proxy, proxyExpired, proxyServerAuthOnly, proxyWrongName, stranger, alice, aliceExpired] = await Promise.all([
    proxyCa.issue({ commonName: proxyName, usages: ['clientAuth'], ...valid }),
    proxyCa.issue({ commonName: proxyName, usages: ['clientAuth'], ...expired }),
    proxyCa.issue({ commonName: proxyName, usages: ['serverAuth'], ...valid }),
    proxyCa.issue({ commonName: 'someone-else', usages: ['clientAuth'], ...valid }),
    strangerCa.issue({ commonName: proxyName, usages: ['clientAuth'], ...valid }),
    clientCa.issue({ commonName: 'alice', organizations: ['team-a', 'team-b'], usages: ['clientAuth'], ...valid }),
    clientCa.issue({ commonName: 'alice', organizations: ['team-a'], usages: ['clientAuth'], ...expired }),
  ]);
  const proxyCaFile = join(dir, 'front-proxy-ca.crt');
  const clientCaFile = join(dir, 'client-ca.crt');
  const servingCaFile = join(dir, 'serving-ca.crt');
  await Promise.all([
    writeFile(proxyCaFile, proxyCa.certPem),
    writeFile(clientCaFile, clientCa.certPem),
    writeFile(servingCaFile, serving.caPem),
  ]);
  return {
    dir,
    proxyCaFile,
    clientCaFile,
    serving,
    servingCaFile,
    proxy,
    proxyExpired,
    proxyServerAuthOnly,
    proxyWrongName,
    stranger,
    alice,
    aliceExpired,
    async writePair(name, certificate) {
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      await Promise.all([
        writeFile(certFile, certificate.certPem),
        writeFile(keyFile, certificate.keyPem, { mode: 0o600 }),
      ]);
      return { certFile, keyFile };
    },
  };
}
