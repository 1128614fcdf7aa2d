/**
 * Test support: the memory-backed adapter over real TLS on a loopback port, guarded by a
 * DelegatedAuth, with an HTTPS client that trusts its serving CA.
 * @module
 */
import type { Adapter } from '../../src/adapter.js';
import type { DelegatedAuth } from '../../src/auth/index.js';
import type { AuthPki } from './auth-pki.js';
import { createClient, type RawResponse, type RequestOptions } from './https-client.js';
import { createMemoryAdapter } from './memory-adapter.js';

export type Send = (path: string, options?: RequestOptions) => Promise<RawResponse>;

export async function startGuardedAdapter(pki: AuthPki, auth: DelegatedAuth): Promise<{ adapter: Adapter; send: Send }> {
  const adapter = await createMemoryAdapter({}, {
    guard: auth.guard,
    readiness: () => auth.readiness(),
    tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, requestClientCertificates: true },
  });
  const address = await adapter.listen({ port: 0, host: '127.0.0.1' });
  return { adapter, send: createClient(`https://127.0.0.1:${address.port}`, pki.servingCaFile) };
}
