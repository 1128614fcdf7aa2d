/**
 * Re-reads --client-ca-file and --requestheader-client-ca-file when they change, as the apiserver's
 * dynamiccertificates.DynamicFileCAContent does, so a rotated CA applies without a restart. A new
 * file that does not parse is logged and the last good bundle kept; a file briefly missing
 * mid-rotation is looked at again next time.
 * NB: polls contents rather than using fs.watch, which misses a Secret volume's symlink swap.
 * @module
 */
import type { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log/index.js';
import { parseCaBundle } from './verify-client-certificate.js';

export interface CaFileWatchOptions {
  readonly file: string;
  /** The flag the file came from, for log lines. */
  readonly flag: string;
  /** The text read at startup. */
  readonly initialPem: string;
  /** Default 10 s. */
  readonly intervalMs?: number;
  readonly logger: Logger;
  /** Gets each new bundle that parses. */
  onChange(bundle: readonly X509Certificate[]): void;
}

export interface CaFileWatch {
  close(): void;
}

export function watchCaFile(options: CaFileWatchOptions): CaFileWatch {
  let seen = options.initialPem;
  let failed: string | undefined;
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const text = await readFile(options.file, 'utf8');
      if (text === seen || text === failed) return;
      try {
        const bundle = parseCaBundle(text, `${options.flag} ${options.file}`);
        seen = text;
        failed = undefined;
        options.onChange(bundle);
        options.logger.info({ file: options.file, certificates: bundle.length }, `loaded the new ${options.flag}`);
      } catch (error) {
        failed = text;
        options.logger.error(`keeping the current ${options.flag}: ${(error as Error).message}`);
      }
    } catch {
      // Missing for a moment while the volume is swapped: look again next time.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), options.intervalMs ?? 10_000).unref();
  return { close: () => clearInterval(timer) };
}
