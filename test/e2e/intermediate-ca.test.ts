/**
 * Front-proxy certificates issued by an intermediate CA, checked as Go's x509.Verify in the
 * apiserver's request-header authenticator checks them: the CA file's certificates are the roots,
 * the certificates the client sends after its own are the intermediates, and every link must be valid now.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Adapter } from '../../src/adapter.js';
import { createDelegatedAuth, type DelegatedAuth } from '../../src/auth/index.js';
import { parseCaBundle, verifyClientCertificate } from '../../src/auth/verify-client-certificate.js';
import { createSilentLogger } from '../../src/log/index.js';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { startGuardedAdapter, type Send } from '../helpers/guarded-adapter.js';
import { createChainPki, type ChainPki } from '../helpers/intermediate-pki.js';

// NB: discovery answers 200 with no metric written; a data path for a metric never written is a 404.
const path = '/apis/custom.metrics.k8s.io/v1beta2';

describe('front-proxy certificates from an intermediate CA', () => {
  let pki: AuthPki;
  let chain: ChainPki;
  let api: FakeAuthApi;
  const running: { auth: DelegatedAuth; adapter: Adapter }[] = [];

  before(async () => {
    [pki, chain] = await Promise.all([createAuthPki(), createChainPki('front-proxy-client')]);
    api = await startFakeAuthApi();
  });
  after(async () => {
    for (const { auth, adapter } of running) {
      auth.close();
      await adapter.close();
    }
    await api?.close();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  async function adapterTrusting(name: string, caPem: string): Promise<Send> {
    const caFile = join(pki.dir, `${name}.crt`);
    await writeFile(caFile, caPem);
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    const auth = await createDelegatedAuth(
      {
        requestheaderClientCaFile: caFile,
        requestheaderAllowedNames: ['front-proxy-client'],
        authenticationKubeconfig: kubeconfig,
        authorizationKubeconfig: kubeconfig,
        authenticationSkipLookup: true,
      },
      createSilentLogger(),
    );
    assert.ok(auth);
    const { adapter, send } = await startGuardedAdapter(pki, auth);
    running.push({ auth, adapter });
    return send;
  }
  const asProxy = (certPem: string) => ({
    certificate: { certPem, keyPem: chain.leaf.keyPem },
    headers: { 'X-Remote-User': 'jane' },
  });

  test('CA file holds the root: the leaf sent with its intermediate is accepted, the leaf alone is not', async () => {
    const send = await adapterTrusting('root-only', chain.rootPem);
    api.reset();
    const accepted = await send(path, asProxy(chain.leaf.certPem + chain.intermediatePem));
    assert.equal(accepted.status, 200, accepted.body);
    assert.deepEqual(
      api.reviews.map((r) => r.user),
      ['jane'],
    );
    const alone = await send(path, asProxy(chain.leaf.certPem));
    assert.equal(alone.status, 401, 'without the intermediate the chain does not reach the root');
    assert.equal(JSON.parse(alone.body).reason, 'Unauthorized');
  });

  test('CA file holds the root and the intermediate: the leaf alone is accepted', async () => {
    const send = await adapterTrusting('root-and-intermediate', chain.rootPem + chain.intermediatePem);
    const res = await send(path, asProxy(chain.leaf.certPem));
    assert.equal(res.status, 200, res.body);
  });

  test('a chain through an expired intermediate is refused (401), and the headers never become the user', async () => {
    const send = await adapterTrusting('root-for-expired', chain.rootPem);
    api.reset();
    const res = await send(path, asProxy(chain.leaf.certPem + chain.expiredIntermediatePem));
    assert.equal(res.status, 401, res.body);
    assert.equal(JSON.parse(res.body).message, 'Unauthorized');
    assert.deepEqual(api.reviews, [], 'no SubjectAccessReview for an unauthenticated proxy');
    // Refused for the expiry, not for a broken link: the expired twin has the same name and key.
    const verdict = verifyClientCertificate(
      [new X509Certificate(chain.leaf.certPem), new X509Certificate(chain.expiredIntermediatePem)],
      parseCaBundle(chain.rootPem, 'root'),
    );
    assert.equal(verdict.ok, false);
    assert.match(verdict.ok ? '' : verdict.reason, /^x509: certificate has expired or is not yet valid/);
  });
});
