/**
 * The serving certificate `metrics-adapter serve` uses when no --tls-cert-file is given: a small CA
 * plus a certificate it signed, kept in --cert-dir and reused across restarts while still good.
 * Kubernetes' aggregator verifies it against the APIService caBundle with ServerName
 * `{service}.{namespace}.svc` (spec §7.1), so callers add that name to `hosts`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { CertificateError, describeFileError } from './certificate-error.js';
import { findReuseProblem } from './reuse-check.js';
import { collectSubjectAltNames, type SubjectAltNames } from './subject-alt-names.js';

export interface SelfSignedCertificateOptions {
  /** Created (mode 0700) when missing. Holds ca.crt, apiserver.crt and apiserver.key, CMAS's names. */
  readonly certDir: string;
  /** DNS names (an IP address here counts as an IP). `localhost` is always added. */
  readonly hosts: readonly string[];
  /** IP addresses. `127.0.0.1` and `::1` are always added. */
  readonly ips?: readonly string[];
  /** Lifetime of a newly generated CA and serving certificate; default 365, as client-go's. At least 2. */
  readonly validityDays?: number;
}

export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** False when the files already in certDir were good enough and are served unchanged. */
  readonly generated: boolean;
}

/** NB: client-go cert.GenerateSelfSignedCertKey backdates by an hour so peers with a slow clock accept the cert. */
const backdateMs = 60 * 60 * 1000;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Returns the certificates in `certDir` when they chain, match, stay valid for at least 24 more hours
 * and cover every requested name; otherwise generates a new CA and serving certificate and writes all
 * three files (keys 0600). One process at a time generates (an exclusively created lock file in `certDir`); one
 * that waited serves what the other wrote when it is good. Throws CertificateError for an unusable name or a directory
 * it cannot
 * create or write, RangeError for a `validityDays` below 2 (such a certificate would be replaced on
 * every call). The CA's private key is never written, so a new name means a new CA.
 */
export async function ensureSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<ServingCertificate> {
  const validityDays = options.validityDays ?? 365;
  if (!Number.isInteger(validityDays) || validityDays < 2) {
    throw new RangeError(`validityDays must be an integer of at least 2, got ${validityDays}`);
  }
  const names = collectSubjectAltNames(options.hosts, options.ips);
  const files = {
    caFile: join(options.certDir, 'ca.crt'),
    certFile: join(options.certDir, 'apiserver.crt'),
    keyFile: join(options.certDir, 'apiserver.key'),
  };
  try {
    await mkdir(options.certDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CertificateError(
      `cannot create the certificate directory ${options.certDir}: ${describeFileError(error)}`,
      { cause: error },
    );
  }

  const stored = await readReusable(files, names);
  if (stored !== undefined) return stored;

  // NB: two processes started with one --cert-dir must end up with one CA: each writing its own would leave the
  // first serving a certificate that the ca.crt on disk (and the kubeconfig made from it) no longer signs.
  const release = await lockGeneration(join(options.certDir, generationLock));
  try {
    const written = await readReusable(files, names);
    if (written !== undefined) return written;
    const { generateCertificates } = await import('./generate-certificates.js');
    const now = Date.now();
    const fresh = await generateCertificates({
      names,
      notBefore: new Date(now - backdateMs),
      notAfter: new Date(now + validityDays * dayMs),
    });
    // NB: the key goes first: a reader that races this sees either the old set or a mismatch it rejects.
    await writeAtomically(files.keyFile, fresh.keyPem, 0o600);
    await writeAtomically(files.certFile, fresh.certPem, 0o644);
    await writeAtomically(files.caFile, fresh.caPem, 0o644);
    return { ...files, ...fresh, generated: true };
  } finally {
    await release();
  }
}

/** The file whose exclusive creation (`wx`) makes one process the writer of a new set. */
export const generationLock = '.generate.lock';
/** A lock older than this was left by a process that died while generating (which takes milliseconds). */
const staleLockMs = 30_000;
const lockWaitMs = 60_000;
const lockPollMs = 25;

async function readReusable(
  files: Pick<ServingCertificate, 'caFile' | 'certFile' | 'keyFile'>,
  names: SubjectAltNames,
): Promise<ServingCertificate | undefined> {
  const [caPem, certPem, keyPem] = await Promise.all([files.caFile, files.certFile, files.keyFile].map(readIfPresent));
  if (caPem === undefined || certPem === undefined || keyPem === undefined) return undefined;
  if (findReuseProblem({ caPem, certPem, keyPem }, names) !== undefined) return undefined;
  return { ...files, caPem, certPem, keyPem, generated: false };
}

/** Creates `lock` exclusively, waiting while another process holds it; resolves with its release. */
async function lockGeneration(lock: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CertificateError(`cannot write ${lock}: ${describeFileError(error)}`, { cause: error });
      }
    }
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > staleLockMs) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new CertificateError(`another process holds ${lock}: remove it if no metrics-adapter is starting`);
    await sleep(lockPollMs);
  }
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes beside the target and renames over it, so no reader ever sees half a file. */
async function writeAtomically(file: string, text: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { mode, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CertificateError(`cannot write ${file}: ${describeFileError(error)}`, { cause: error });
  }
}
