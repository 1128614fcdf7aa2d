/**
 * Test support: the memory-backed adapter over real TLS on a loopback port, guarded by a
 * DelegatedAuth, with an HTTPS client that trusts its serving CA.
 * @module
 */
import { rm } from 'node:fs/promises';
import type { Adapter } from '../../src/adapter.js';
import { createDelegatedAuth, type DelegatedAuth, type DelegatedAuthOptions } from '../../src/auth/index.js';
import { createSilentLogger, type Logger } from '../../src/log/index.js';
import type { AuthPki } from './auth-pki.js';
import { createClient, type RawResponse, type RequestOptions } from './https-client.js';
import { createMemoryAdapter } from './memory-adapter.js';

export type Send = (path: string, options?: RequestOptions) => Promise<RawResponse>;

export async function startGuardedAdapter(
  pki: AuthPki,
  auth: DelegatedAuth,
): Promise<{ adapter: Adapter; send: Send }> {
  const adapter = await createMemoryAdapter(
    {},
    {
      guard: auth.guard,
      readiness: () => auth.readiness(),
      tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, requestClientCertificates: true },
    },
  );
  const address = await adapter.listen({ port: 0, host: '127.0.0.1' });
  return { adapter, send: createClient(`https://127.0.0.1:${address.port}`, pki.servingCaFile) };
}

/**
 * The delegated auth most tests want: the test PKI's front-proxy CA (allowed name front-proxy-client) and
 * client CA, TokenReview and SAR against the fake API behind `kubeconfig`, no ConfigMap lookup.
 * `overrides` replaces any of these.
 */
export async function createTestAuth(
  pki: AuthPki,
  kubeconfig: string,
  overrides: Partial<DelegatedAuthOptions> = {},
  logger: Logger = createSilentLogger(),
): Promise<DelegatedAuth> {
  const auth = await createDelegatedAuth(
    {
      requestheaderClientCaFile: pki.proxyCaFile,
      requestheaderAllowedNames: ['front-proxy-client'],
      clientCaFile: pki.clientCaFile,
      authenticationKubeconfig: kubeconfig,
      authorizationKubeconfig: kubeconfig,
      authenticationSkipLookup: true,
      ...overrides,
    },
    logger,
  );
  if (auth === undefined) throw new Error('createDelegatedAuth made no auth: the options name no kubeconfig');
  return auth;
}

/** Stops what a guarded test started, whichever parts it got to; for `after()`. */
export async function stopGuarded(parts: {
  readonly auth?: DelegatedAuth;
  readonly adapter?: Adapter;
  readonly api?: { close(): Promise<void> };
  readonly pki?: AuthPki;
}): Promise<void> {
  parts.auth?.close();
  await parts.adapter?.close();
  await parts.api?.close();
  if (parts.pki) await rm(parts.pki.dir, { recursive: true, force: true });
}
