/**
 * The TLS settings of the adapter's HTTPS server in one place, used at startup and again when a
 * rotated certificate is loaded (setSecureContext replaces all of them at once).
 * @module
 */
import type { SecureContextOptions } from 'node:tls';

/**
 * NB: TLS 1.2 with forward-secret AEAD suites only, as Go's crypto/tls defaults and the apiserver's
 * --tls-min-version=VersionTLS12. TLS 1.3 suites are not configurable here and all are strong.
 */
const tls12Ciphers = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export function secureContextOptions(key: string, cert: string): SecureContextOptions {
  return { key, cert, minVersion: 'TLSv1.2', ciphers: tls12Ciphers, honorCipherOrder: true };
}
