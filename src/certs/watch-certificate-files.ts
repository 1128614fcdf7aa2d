/**
 * Notices when --tls-cert-file / --tls-private-key-file change on disk (cert-manager and kubelet
 * swap a Secret volume's symlink) and hands the new, checked pair to the server. A pair that fails
 * the startup checks (half-written, mismatched, expired) is reported and the old one kept.
 * NB: polls contents rather than using fs.watch, which misses symlink swaps in Secret volumes.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { loadCertificateFiles, type LoadedCertificate } from './load-certificate-files.js';

export interface CertificateWatchOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** Default 10 s. */
  readonly intervalMs?: number;
  onChange(loaded: LoadedCertificate): void;
  onError(error: Error): void;
}

export interface CertificateWatch {
  close(): void;
}

export function watchCertificateFiles(
  options: CertificateWatchOptions,
  initial: { readonly certPem: string; readonly keyPem: string },
): CertificateWatch {
  let seen = `${initial.certPem}\0${initial.keyPem}`;
  let failed = '';
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const [cert, key] = await Promise.all([readFile(options.certFile, 'utf8'), readFile(options.keyFile, 'utf8')]);
      const contents = `${cert}\0${key}`;
      if (contents === seen || contents === failed) return;
      try {
        const loaded = await loadCertificateFiles(options.certFile, options.keyFile);
        seen = `${loaded.certPem}\0${loaded.keyPem}`;
        failed = '';
        options.onChange(loaded);
      } catch (error) {
        failed = contents;
        options.onError(error as Error);
      }
    } catch {
      // A file briefly missing mid-rotation: look again next time.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? 10_000).unref();
  return { close: () => clearInterval(timer) };
}
