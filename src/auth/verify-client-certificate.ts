/**
 * Verifies a TLS client's certificate chain against a CA bundle the way Go's x509.Verify does for
 * Kubernetes' x509 authenticators: the leaf chains through the peer's intermediates to a root in the
 * bundle, every certificate is valid now, and the extended key usages allow client authentication.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import { pemBlocks } from '../certs/pem.js';
import { validityOf } from '../certs/validity.js';

const clientAuth = '1.3.6.1.5.5.7.3.2';
const anyExtendedKeyUsage = '2.5.29.37.0';
/** Enough for any real PKI; Go allows more, but a longer peer chain is more likely an attack than a hierarchy. */
const maxIntermediates = 8;

/** A CA bundle file's certificates; throws when the text holds none that parse. */
export function parseCaBundle(pem: string, what: string): X509Certificate[] {
  const certificates = pemBlocks(pem)
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => {
      try {
        return new X509Certificate(block.text);
      } catch (error) {
        throw new Error(`${what}: a certificate cannot be parsed: ${(error as Error).message}`, { cause: error });
      }
    });
  if (certificates.length === 0) throw new Error(`${what} holds no PEM certificate`);
  return certificates;
}

export type ChainVerification =
  | {
      readonly ok: true;
      readonly leaf: X509Certificate /** When the first certificate of the chain expires (ms). */;
      readonly validUntil: number;
    }
  | { readonly ok: false; readonly reason: string };

function timeProblem(certificate: X509Certificate, now: number): string | undefined {
  const { notBefore, notAfter } = validityOf(certificate);
  if (now < notBefore.getTime() || now > notAfter.getTime()) {
    const bound =
      now > notAfter.getTime() ? `is after ${notAfter.toISOString()}` : `is before ${notBefore.toISOString()}`;
    return `x509: certificate has expired or is not yet valid: current time ${new Date(now).toISOString()} ${bound}`;
  }
  return undefined;
}

/** NB: Go reads a missing extended key usage extension as "any usage". */
function allowsClientAuth(certificate: X509Certificate): boolean {
  const usages = certificate.keyUsage;
  return usages === undefined || usages.includes(clientAuth) || usages.includes(anyExtendedKeyUsage);
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/** `chain` is the peer's chain as sent, leaf first. Never throws. */
export function verifyClientCertificate(
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
  now: number = Date.now(),
): ChainVerification {
  const leaf = chain[0];
  if (leaf === undefined) return { ok: false, reason: 'no client certificate' };
  try {
    let validUntil = validityOf(leaf).notAfter.getTime();
    const problem = timeProblem(leaf, now);
    if (problem !== undefined) return { ok: false, reason: problem };
    if (!allowsClientAuth(leaf)) return { ok: false, reason: 'x509: certificate specifies an incompatible key usage' };
    if (roots.some((root) => root.raw.equals(leaf.raw))) return { ok: true, leaf, validUntil };
    const unused = chain.slice(1, 1 + maxIntermediates);
    let current = leaf;
    for (let depth = 0; depth <= maxIntermediates; depth++) {
      const root = roots.find((candidate) => issuedBy(current, candidate) && timeProblem(candidate, now) === undefined);
      if (root !== undefined)
        return { ok: true, leaf, validUntil: Math.min(validUntil, validityOf(root).notAfter.getTime()) };
      const index = unused.findIndex((candidate) => candidate.ca && issuedBy(current, candidate));
      if (index < 0) break;
      const intermediate = unused.splice(index, 1)[0]!;
      const expired = timeProblem(intermediate, now);
      if (expired !== undefined) return { ok: false, reason: expired };
      if (!allowsClientAuth(intermediate))
        return { ok: false, reason: 'x509: certificate specifies an incompatible key usage' };
      validUntil = Math.min(validUntil, validityOf(intermediate).notAfter.getTime());
      current = intermediate;
    }
    return { ok: false, reason: 'x509: certificate signed by unknown authority' };
  } catch (error) {
    return { ok: false, reason: `x509: cannot verify the certificate: ${(error as Error).message}` };
  }
}

/**
 * verifyClientCertificate remembered per connection: a chain array (one per TLS connection, see
 * peer-certificates.ts) is verified once per CA bundle, and again only after it expires.
 */
export function createCachedVerifier(): (
  chain: readonly X509Certificate[],
  roots: readonly X509Certificate[],
) => ChainVerification {
  const results = new WeakMap<readonly X509Certificate[], WeakMap<readonly X509Certificate[], ChainVerification>>();
  return (chain, roots) => {
    let byRoots = results.get(chain);
    if (byRoots === undefined) results.set(chain, (byRoots = new WeakMap()));
    const cached = byRoots.get(roots);
    if (cached !== undefined && (!cached.ok || Date.now() <= cached.validUntil)) return cached;
    const fresh = verifyClientCertificate(chain, roots);
    byRoots.set(roots, fresh);
    return fresh;
  };
}
