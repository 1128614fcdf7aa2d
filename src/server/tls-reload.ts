/**
 * Serves a rotated certificate without a restart: when the files change, the HTTPS server gets a
 * new secure context (https.Server or the h2 server alike: both are tls.Servers, and ALPN is not
 * part of the context). Open connections keep the one they were made with, so nothing is dropped.
 * @module
 */
import type { Server as TlsServer } from 'node:tls';
import { watchCertificateFiles, type CertificateWatch } from '../certs/index.js';
import type { Logger } from '../log/index.js';
import { secureContextOptions } from './tls-options.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export function reloadTlsOnChange(
  server: TlsServer,
  files: TlsFiles,
  logger: Logger,
  intervalMs?: number,
): CertificateWatch {
  return watchCertificateFiles(
    {
      certFile: files.certFile,
      keyFile: files.keyFile,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      onChange(loaded) {
        server.setSecureContext(secureContextOptions(loaded.keyPem, loaded.certPem));
        logger.info(
          { certFile: loaded.certFile, notAfter: loaded.notAfter.toISOString() },
          'loaded the new serving certificate',
        );
      },
      onError(error) {
        logger.error(`keeping the current serving certificate: ${error.message}`);
      },
    },
    files,
  );
}
