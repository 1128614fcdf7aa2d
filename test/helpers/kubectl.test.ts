/**
 * The kubectl helper against a tiny HTTPS server: the binary is really 1.35, extraction survives two
 * processes racing, and `kubectl get --raw` shows what a real API client shows for JSON and for a Status.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { zipSync } from 'fflate';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureSelfSignedCertificate, type ServingCertificate } from '../../src/certs/index.js';
import { defaultUsername, findKubectl, kubectlGetRaw } from './kubectl.js';

const groupJson = '{"kind":"APIGroup","apiVersion":"v1","name":"x","versions":[]}';
const notFoundJson =
  '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the metric m for pods","reason":"NotFound","code":404}';

function runNode(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(error) : resolve({ stdout, stderr }),
    );
  });
}

describe('kubectl 1.35 helper', () => {
  let kubectl: string | undefined;
  let dir: string;
  let serving: ServingCertificate;
  let server: Server;
  let url: string;
  let lastRequest: { url: string; authorization: string } | undefined;

  before(async () => {
    kubectl = await findKubectl();
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-kubectl-'));
    serving = await ensureSelfSignedCertificate({ certDir: join(dir, 'certs'), hosts: [] });
    server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      lastRequest = { url: req.url ?? '', authorization: req.headers.authorization ?? '' };
      if (req.url === '/apis/x') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(groupJson);
      } else if (req.url === '/hang') {
        // never answers
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end(notFoundJson);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  test('findKubectl gives undefined, not an error, when the zip is missing, broken or has no kubectl', async () => {
    const noKubectl = join(dir, 'helm-only.zip');
    const broken = join(dir, 'broken.zip');
    await writeFile(noKubectl, zipSync({ 'helm/helm': new Uint8Array([1, 2, 3]) }));
    await writeFile(broken, 'PK not really');
    for (const layerZip of [join(dir, 'missing.zip'), noKubectl, broken]) {
      assert.equal(
        await findKubectl({ cacheDir: join(dir, `cache-${layerZip.length}`), layerZip }),
        undefined,
        layerZip,
      );
    }
    const fake = join(dir, 'fake.zip');
    await writeFile(fake, zipSync({ 'kubectl/kubectl': new TextEncoder().encode('#!/bin/sh\necho not kubectl\n') }));
    assert.equal(
      await findKubectl({ cacheDir: join(dir, 'cache-fake'), layerZip: fake }),
      undefined,
      'a kubectl that is not 1.35',
    );
  });

  test('findKubectl gives an executable kubectl whose client version is 1.35', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    assert.ok(kubectl.endsWith('node_modules/.cache/metrics-adapter/kubectl-v35/kubectl'), kubectl);
    assert.equal((await stat(kubectl)).mode & 0o777, 0o755);
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(kubectl!, ['version', '--client', '-o', 'json'], (error, out) =>
        error ? reject(error) : resolve({ stdout: out }),
      ),
    );
    const { clientVersion } = JSON.parse(stdout) as {
      clientVersion: { major: string; minor: string; gitVersion: string };
    };
    assert.equal(clientVersion.major, '1');
    assert.equal(clientVersion.minor, '35');
    assert.match(clientVersion.gitVersion, /^v1\.35\./);
    assert.equal(await findKubectl(), kubectl, 'the same path on a later call');
  });

  test('findKubectl works when called at once, in one process and in two', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const same = await Promise.all([findKubectl(), findKubectl()]);
    assert.deepEqual(same, [kubectl, kubectl]);

    const cacheDir = join(dir, 'race-cache');
    const helper = new URL('./kubectl.ts', import.meta.url).href;
    const script = `const { findKubectl } = await import(${JSON.stringify(helper)}); process.stdout.write(String(await findKubectl({ cacheDir: ${JSON.stringify(cacheDir)} })));`;
    const started = performance.now();
    const results = await Promise.all(
      [1, 2].map(() => runNode(['--import', 'tsx', '--input-type=module', '-e', script])),
    );
    t.diagnostic(`two processes extracting at once took ${Math.round(performance.now() - started)} ms`);
    const expected = join(cacheDir, 'kubectl');
    assert.deepEqual(
      results.map((r) => r.stdout),
      [expected, expected],
      results.map((r) => r.stderr).join('\n'),
    );
    assert.deepEqual(await readdir(cacheDir), ['kubectl'], 'no temporary files left');
    assert.equal(await findKubectl({ cacheDir }), expected, 'reused by a third caller');
  });

  test('kubectlGetRaw prints the body of a 200 exactly', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const out = await kubectlGetRaw(kubectl, { server: url, caFile: serving.caFile, path: '/apis/x' });
    assert.deepEqual(out, { code: 0, stdout: groupJson, stderr: '' });
  });

  test('kubectlGetRaw shows a Status 404 as kubectl does: Error from server (NotFound)', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const path = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/m';
    const out = await kubectlGetRaw(kubectl, { server: url, caFile: serving.caFile, path });
    t.diagnostic(`kubectl stderr: ${JSON.stringify(out.stderr)}`);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, '');
    assert.equal(out.stderr, 'Error from server (NotFound): the server could not find the metric m for pods\n');
    // NB: kubectl (Go's url.URL) escapes `*` in the path; the server must decode it.
    assert.equal(lastRequest?.url, '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/%2A/m');
  });

  test('kubectlGetRaw identifies with ignorable Basic credentials, or with a bearer token when given one', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const basic = await kubectlGetRaw(kubectl, { server: url, caFile: serving.caFile, path: '/apis/x' });
    assert.equal(basic.code, 0, basic.stderr);
    assert.equal(lastRequest?.authorization, `Basic ${Buffer.from(`${defaultUsername}:`).toString('base64')}`);
    const bearer = await kubectlGetRaw(kubectl, {
      server: url,
      caFile: serving.caFile,
      path: '/apis/x',
      token: 'abc.def',
    });
    assert.equal(bearer.code, 0, bearer.stderr);
    assert.equal(lastRequest?.authorization, 'Bearer abc.def');
  });

  test('kubectlGetRaw ignores $KUBECONFIG and ~/.kube/config', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const home = join(dir, 'home');
    const broken = join(dir, 'broken-kubeconfig');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube/config'), 'garbage: [');
    await writeFile(broken, 'garbage: [');
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    process.env.HOME = home;
    process.env.KUBECONFIG = broken;
    try {
      const out = await kubectlGetRaw(kubectl, { server: url, caFile: serving.caFile, path: '/apis/x' });
      assert.deepEqual(out, { code: 0, stdout: groupJson, stderr: '' });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    assert.deepEqual(await readdir(join(home, '.kube')), ['config'], 'kubectl wrote no cache under $HOME');
  });

  test('kubectlGetRaw reports a server it cannot verify, a timeout and a missing binary without throwing', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const wrongCa = join(dir, 'wrong-ca.crt');
    const other = await ensureSelfSignedCertificate({ certDir: join(dir, 'other-certs'), hosts: [] });
    await writeFile(wrongCa, other.caPem);
    const unverified = await kubectlGetRaw(kubectl, { server: url, caFile: wrongCa, path: '/apis/x' });
    assert.equal(unverified.code, 1);
    assert.match(unverified.stderr, /x509: certificate signed by unknown authority/);

    const hung = await kubectlGetRaw(kubectl, { server: url, caFile: serving.caFile, path: '/hang', timeoutMs: 1000 });
    assert.equal(hung.code, 124);
    assert.match(hung.stderr, /kubectl was killed after 1000 ms/);

    const missing = await kubectlGetRaw(join(dir, 'no-kubectl'), {
      server: url,
      caFile: serving.caFile,
      path: '/apis/x',
    });
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /ENOENT/);
  });
});
