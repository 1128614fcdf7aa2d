/**
 * Property: over random combinations of client certificate, front-proxy headers, bearer token,
 * method and path, a request without a verified identity never reads or writes a metric, and a
 * forged X-Remote-User never becomes the user. Real TLS, real certificates, the fake auth API.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { Adapter } from '../../src/adapter.js';
import type { DelegatedAuth } from '../../src/auth/index.js';
import { createAuthPki, proxyName, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { createTestAuth, startGuardedAdapter, stopGuarded, type Send } from '../helpers/guarded-adapter.js';

let pki: AuthPki;
let api: FakeAuthApi;
let auth: DelegatedAuth;
let adapter: Adapter;
let send: Send;

before(async () => {
  pki = await createAuthPki();
  api = await startFakeAuthApi({ tokens: { 'good-token': { username: 'bob', groups: ['devs'] } } });
  const kubeconfig = await api.writeKubeconfig(pki.dir);
  auth = await createTestAuth(pki, kubeconfig, {
    requestheaderAllowedNames: [proxyName],
    // NB: no SAR cache, so every request's review shows who it was authorized as.
    authorizationWebhookCacheAuthorizedTtlMs: 0,
    authorizationWebhookCacheUnauthorizedTtlMs: 0,
  });
  ({ adapter, send } = await startGuardedAdapter(pki, auth));
});
after(() => stopGuarded({ auth, adapter, api, pki }));

type CertName =
  | 'none'
  | 'proxy'
  | 'proxyExpired'
  | 'proxyServerAuthOnly'
  | 'proxyWrongName'
  | 'stranger'
  | 'alice'
  | 'aliceExpired';
const certNames: CertName[] = [
  'none',
  'proxy',
  'proxyExpired',
  'proxyServerAuthOnly',
  'proxyWrongName',
  'stranger',
  'alice',
  'aliceExpired',
];

test('no request without a verified identity reads or writes, and forged headers never name the user', async () => {
  const request = fc.record({
    cert: fc.constantFrom(...certNames),
    user: fc.option(fc.constantFrom('', 'admin', 'system:kube-aggregator', 'jane'), { nil: undefined }),
    groups: fc.array(fc.constantFrom('system:masters', 'system:authenticated', 'devs'), { maxLength: 2 }),
    authorization: fc.option(fc.constantFrom('Bearer good-token', 'Bearer bad-token', 'Basic YWRtaW46', 'Bearer '), {
      nil: undefined,
    }),
    write: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string | string[]> = {};
      if (r.user !== undefined) headers['X-Remote-User'] = r.user;
      if (r.groups.length > 0) headers['X-Remote-Group'] = r.groups;
      if (r.authorization !== undefined) headers.authorization = r.authorization;
      const certificate = r.cert === 'none' ? undefined : pki[r.cert];
      const path = r.write
        ? '/write-metrics/namespaces/default/pods/p/m'
        : '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/p/m';
      const reviewsBefore = api.reviews.length;
      const res = await send(path, {
        ...(r.write ? { method: 'POST', body: '"1"' } : {}),
        headers,
        ...(certificate ? { certificate } : {}),
      });

      const viaProxy = r.cert === 'proxy' && r.user !== undefined && r.user !== '';
      const viaClientCa = r.cert === 'alice';
      const viaToken = r.authorization === 'Bearer good-token';
      const newReviews = api.reviews.slice(reviewsBefore);
      if (!(viaProxy || viaClientCa || viaToken)) {
        assert.ok(res.status === 401 || res.status === 403, `${res.status} ${res.body}`);
        if (res.status === 403) assert.match(JSON.parse(res.body).message, /User "system:anonymous" cannot/);
        assert.deepEqual(
          newReviews.map((review) => review.user),
          res.status === 403 ? ['system:anonymous'] : [],
        );
        return;
      }
      // The fake allows every identified user: the request reaches the handler (200 written, 404 no such metric).
      assert.ok(res.status === 200 || res.status === 404, `${res.status} ${res.body}`);
      if (viaProxy && r.groups.includes('system:masters')) {
        assert.equal(newReviews.length, 0, 'system:masters needs no review');
        return;
      }
      const expectedUser = viaProxy ? r.user : viaClientCa ? 'alice' : 'bob';
      assert.deepEqual(
        newReviews.map((review) => review.user),
        [expectedUser],
      );
    }),
    { numRuns: 60 },
  );
});
