/**
 * End to end: the real `metrics-adapter serve` with --client-ca-file and delegated authorization
 * (a schema-true fake API answers the SubjectAccessReviews), read by a real kubectl 1.35 with a
 * client-certificate kubeconfig.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { createClient } from '../helpers/https-client.js';
import { clientCertificateKubeconfig, findKubectl, kubectlGetRawWithKubeconfig } from '../helpers/kubectl.js';

describe('kubectl with a client certificate against serve with authentication on', () => {
  let pki: AuthPki;
  let api: FakeAuthApi;
  let adapter: AdapterProcess;
  let kubectl: string | undefined;
  const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests';

  before(async () => {
    pki = await createAuthPki();
    api = await startFakeAuthApi();
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    adapter = await startAdapter([
      '--client-ca-file',
      pki.clientCaFile,
      '--requestheader-client-ca-file',
      pki.proxyCaFile,
      '--authentication-kubeconfig',
      kubeconfig,
      '--authorization-kubeconfig',
      kubeconfig,
    ]);
    kubectl = await findKubectl();
    const send = createClient(adapter.url, adapter.caFile);
    const write = await send('/write-metrics/namespaces/default/pods/web-1/http_requests', {
      method: 'POST',
      body: '"42"',
      certificate: pki.alice,
    });
    assert.equal(write.status, 200, write.body);
  });
  after(async () => {
    await adapter?.stop();
    await api?.close();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  const kubeconfigFor = async (name: string, certificate: AuthPki['alice']) => {
    const { certFile, keyFile } = await pki.writePair(name, certificate);
    const file = join(pki.dir, `${name}.kubeconfig`);
    await writeFile(file, clientCertificateKubeconfig(adapter.url, adapter.caFile, certFile, keyFile));
    return file;
  };

  test('reads a metric as the certificate user, after a SubjectAccessReview for that user', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    api.reset();
    const out = await kubectlGetRawWithKubeconfig(kubectl, await kubeconfigFor('alice', pki.alice), path);
    assert.equal(out.code, 0, out.stderr);
    const list = JSON.parse(out.stdout) as { items: { value: string }[] };
    assert.equal(list.items[0]!.value, '42');
    assert.ok(
      api.reviews.some((r) => r.user === 'alice' && r.resourceAttributes?.name === 'web-1'),
      JSON.stringify(api.reviews),
    );
  });

  test('prints the Unauthorized error with a certificate from another CA', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const out = await kubectlGetRawWithKubeconfig(kubectl, await kubeconfigFor('stranger', pki.stranger), path);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  test('the startup log names the auth set-up instead of the DISABLED warning', () => {
    assert.doesNotMatch(adapter.logs(), /DISABLED/);
    assert.match(adapter.logs(), /authentication and authorization: front proxy: --requestheader-client-ca-file/);
  });
});
