/**
 * End to end over real TLS: the adapter with the delegating guard, front-proxy and client-CA
 * certificates generated here, and a schema-true fake Kubernetes API for TokenReview and
 * SubjectAccessReview (the only part that cannot run here).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Adapter } from '../../src/adapter.js';
import { createDelegatedAuth, type DelegatedAuth } from '../../src/auth/index.js';
import { createSilentLogger } from '../../src/log/index.js';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { createTestAuth, startGuardedAdapter, stopGuarded, type Send } from '../helpers/guarded-adapter.js';

const podsPath = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb';
const unauthorizedBody =
  '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}\n';

describe('front-proxy and client-certificate authentication with delegated authorization', () => {
  let pki: AuthPki;
  let api: FakeAuthApi;
  let auth: DelegatedAuth;
  let adapter: Adapter;
  let send: Send;
  const asProxy = (
    certificate: AuthPki['proxy'],
    headers: Record<string, string> = {
      'X-Remote-User': 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
    },
  ) => ({ certificate, headers });

  before(async () => {
    pki = await createAuthPki();
    api = await startFakeAuthApi({
      tokens: { 'token-of-bob': { username: 'bob', uid: 'b-1', groups: ['devs'] } },
      authorize: (spec) =>
        spec.user === 'system:anonymous'
          ? { allowed: false, reason: 'anonymous is not allowed here' }
          : spec.user === 'mallory'
            ? { allowed: false, denied: true }
            : { allowed: true },
    });
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    auth = await createTestAuth(pki, kubeconfig);
    ({ adapter, send } = await startGuardedAdapter(pki, auth));
    const write = await send('/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb', {
      method: 'POST',
      body: '"300m"',
      ...asProxy(pki.proxy),
    });
    assert.equal(write.status, 200, write.body);
  });
  after(() => stopGuarded({ auth, adapter, api, pki }));

  test('refuses the front-proxy headers with an expired, server-auth-only, wrongly named or foreign certificate (401)', async () => {
    for (const [what, certificate] of [
      ['expired', pki.proxyExpired],
      ['server-auth only', pki.proxyServerAuthOnly],
      ['CN not allowed', pki.proxyWrongName],
      ['another CA', pki.stranger],
      ['expired client-CA user', pki.aliceExpired],
    ] as const) {
      const res = await send(
        podsPath,
        asProxy(certificate, { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' }),
      );
      assert.equal(res.status, 401, what);
      assert.equal(res.body, unauthorizedBody, what);
      assert.equal(res.headers['content-type'], 'application/json', what);
    }
  });

  test('ignores front-proxy headers without a certificate: the request is anonymous, so a forged user never gets in (403)', async () => {
    api.reset();
    const res = await send(podsPath, { headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' } });
    assert.equal(res.status, 403);
    assert.deepEqual(JSON.parse(res.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods.custom.metrics.k8s.io "*" is forbidden: User "system:anonymous" cannot get resource "pods/http_requests" in API group "custom.metrics.k8s.io" in the namespace "default": anonymous is not allowed here',
      reason: 'Forbidden',
      details: { name: '*', group: 'custom.metrics.k8s.io', kind: 'pods' },
      code: 403,
    });
    assert.deepEqual(
      api.reviews.map((r) => [r.user, r.groups]),
      [['system:anonymous', ['system:unauthenticated']]],
    );
    const write = await send('/write-metrics/namespaces/default/pods/web-1/http_requests', {
      method: 'POST',
      body: '"9"',
      headers: { 'X-Remote-User': 'admin' },
    });
    assert.equal(write.status, 403);
    assert.equal(
      JSON.parse(write.body).message,
      'forbidden: User "system:anonymous" cannot create path "/write-metrics/namespaces/default/pods/web-1/http_requests": anonymous is not allowed here',
    );
  });

  test('accepts the verified front proxy and asks the cluster with the user, groups and extras it forwarded', async () => {
    api.reset();
    const res = await send(podsPath, {
      certificate: pki.proxy,
      headers: {
        'X-Remote-User': 'jane',
        'X-Remote-Group': ['g1', 'g2, still-g2'],
        'X-Remote-Extra-Acme.com%2Fproject': 'p1',
      },
    });
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).items[0].describedObject.name, 'web-1');
    assert.deepEqual(api.reviews, [
      {
        user: 'jane',
        groups: ['g1', 'g2, still-g2', 'system:authenticated'],
        extra: { 'acme.com/project': ['p1'] },
        resourceAttributes: {
          namespace: 'default',
          verb: 'get',
          group: 'custom.metrics.k8s.io',
          version: 'v1beta2',
          resource: 'pods',
          subresource: 'http_requests',
          name: '*',
        },
      },
    ]);
  });

  test('a valid front-proxy certificate without X-Remote-User is not a user, and not anonymous either (401)', async () => {
    const res = await send(podsPath, asProxy(pki.proxy, {}));
    assert.equal(res.status, 401);
  });

  test('accepts client-CA users with CN as the name and O as the groups', async () => {
    api.reset();
    const res = await send('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue', {
      certificate: pki.alice,
    });
    assert.equal(res.status, 404, res.body);
    assert.deepEqual(
      api.reviews.map((r) => [r.user, r.groups, r.resourceAttributes]),
      [
        [
          'alice',
          ['team-a', 'team-b', 'system:authenticated'],
          {
            namespace: 'default',
            verb: 'list',
            group: 'external.metrics.k8s.io',
            version: 'v1beta1',
            resource: 'queue',
          },
        ],
      ],
    );
  });

  test('checks bearer tokens with a TokenReview, cached, and refuses a bad one (401)', async () => {
    api.reset();
    for (let i = 0; i < 3; i++) {
      const res = await send(podsPath, { headers: { authorization: 'Bearer token-of-bob' } });
      assert.equal(res.status, 200, res.body);
    }
    assert.equal(api.calls.tokenReviews, 1);
    assert.deepEqual(api.reviews[0], {
      user: 'bob',
      uid: 'b-1',
      groups: ['devs', 'system:authenticated'],
      resourceAttributes: api.reviews[0]!.resourceAttributes,
    });
    const bad = await send(podsPath, { headers: { authorization: 'Bearer nope' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body, unauthorizedBody);
  });

  test('caches SubjectAccessReviews: N identical requests within the TTL cost one review, allowed or denied', async () => {
    api.reset();
    const responses = await Promise.all(Array.from({ length: 10 }, () => send(podsPath, asProxy(pki.proxy))));
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(10).fill(200),
    );
    for (let i = 0; i < 5; i++) assert.equal((await send(podsPath, asProxy(pki.proxy))).status, 200);
    assert.equal(api.calls.subjectAccessReviews, 1);
    await send('/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/*/http_requests', asProxy(pki.proxy));
    assert.equal(api.calls.subjectAccessReviews, 2, 'another path is another review');
    api.reset();
    for (let i = 0; i < 4; i++) {
      const res = await send(podsPath, asProxy(pki.proxy, { 'X-Remote-User': 'mallory' }));
      assert.equal(res.status, 403);
    }
    assert.equal(api.calls.subjectAccessReviews, 1);
  });

  test('lets system:masters (the availability probe) and the health paths through without a review', async () => {
    api.reset();
    const probe = await send(
      '/apis/custom.metrics.k8s.io/v1beta2',
      asProxy(pki.proxy, { 'X-Remote-User': 'system:kube-aggregator', 'X-Remote-Group': 'system:masters' }),
    );
    assert.equal(probe.status, 200, probe.body);
    for (const path of ['/healthz', '/livez', '/readyz']) assert.equal((await send(path)).status, 200, path);
    assert.equal(api.calls.subjectAccessReviews, 0);
    const notCovered = await send('/livez/ping');
    assert.equal(notCovered.status, 403, 'only the exact default paths are always allowed');
  });
});

describe('with the Kubernetes API server unreachable', () => {
  let pki: AuthPki;
  let auth: DelegatedAuth;
  let adapter: Adapter;
  let send: Send;

  before(async () => {
    pki = await createAuthPki();
    const api = await startFakeAuthApi();
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    await api.close();
    const created = await createDelegatedAuth(
      {
        requestheaderClientCaFile: pki.proxyCaFile,
        authorizationKubeconfig: kubeconfig,
        authenticationSkipLookup: true,
        probeIntervalMs: 50,
      },
      createSilentLogger(),
    );
    assert.ok(created);
    auth = created;
    ({ adapter, send } = await startGuardedAdapter(pki, auth));
  });
  after(() => stopGuarded({ auth, adapter, pki }));

  test('denies every metric read and write, even for a verified front proxy, and /readyz fails', async () => {
    const read = await send(podsPath, { certificate: pki.proxy, headers: { 'X-Remote-User': 'jane' } });
    assert.equal(read.status, 503);
    assert.equal(JSON.parse(read.body).reason, 'ServiceUnavailable');
    const write = await send('/write-metrics/namespaces/default/pods/web-1/http_requests', {
      method: 'POST',
      body: '"1"',
      certificate: pki.proxy,
      headers: { 'X-Remote-User': 'jane' },
    });
    assert.equal(write.status, 503);
    const ready = await send('/readyz?verbose');
    assert.equal(ready.status, 503);
    assert.match(
      ready.body,
      /\[-\]backend failed: the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+ is unreachable/,
    );
    assert.equal((await send('/healthz')).status, 200);
  });
});

describe('with the settings read from kube-system/extension-apiserver-authentication', () => {
  let pki: AuthPki;
  let api: FakeAuthApi;
  let auth: DelegatedAuth;
  let adapter: Adapter;
  let send: Send;

  before(async () => {
    pki = await createAuthPki();
    api = await startFakeAuthApi({
      authenticationConfigMap: {
        'client-ca-file': await readFile(pki.clientCaFile, 'utf8'),
        'requestheader-client-ca-file': await readFile(pki.proxyCaFile, 'utf8'),
        'requestheader-allowed-names': '["front-proxy-client"]',
        'requestheader-username-headers': '["X-Remote-User"]',
        'requestheader-group-headers': '["X-Remote-Group"]',
        'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
      },
    });
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    const created = await createDelegatedAuth(
      { authenticationKubeconfig: kubeconfig, authorizationKubeconfig: kubeconfig },
      createSilentLogger(),
    );
    assert.ok(created);
    auth = created;
    ({ adapter, send } = await startGuardedAdapter(pki, auth));
  });
  after(() => stopGuarded({ auth, adapter, api, pki }));

  test('trusts the front proxy and client CA the cluster publishes, and nothing else', async () => {
    assert.equal(api.calls.configMaps, 1);
    api.reset();
    const proxied = await send('/apis/custom.metrics.k8s.io/v1beta2', {
      certificate: pki.proxy,
      headers: { 'X-Remote-User': 'jane' },
    });
    assert.equal(proxied.status, 200, proxied.body);
    const user = await send('/apis/custom.metrics.k8s.io/v1beta1', { certificate: pki.alice });
    assert.equal(user.status, 200, user.body);
    assert.deepEqual(
      api.reviews.map((r) => [r.user, r.nonResourceAttributes]),
      [
        ['jane', { path: '/apis/custom.metrics.k8s.io/v1beta2', verb: 'get' }],
        ['alice', { path: '/apis/custom.metrics.k8s.io/v1beta1', verb: 'get' }],
      ],
    );
    for (const certificate of [pki.proxyWrongName, pki.stranger]) {
      assert.equal(
        (await send('/apis/custom.metrics.k8s.io/v1beta2', { certificate, headers: { 'X-Remote-User': 'jane' } }))
          .status,
        401,
      );
    }
    assert.equal((await send('/readyz')).status, 200);
  });
});
