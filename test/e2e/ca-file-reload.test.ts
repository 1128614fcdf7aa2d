/**
 * --client-ca-file and --requestheader-client-ca-file are re-read when they change: a rotated CA
 * applies without a restart, and a broken new file is logged while the old CA keeps working.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Adapter } from '../../src/adapter.js';
import { createDelegatedAuth, type DelegatedAuth } from '../../src/auth/index.js';
import { createCertificateAuthority, type IssuedCertificate } from '../../src/certs/certificate-authority.js';
import { createLogger } from '../../src/log/index.js';
import { createAuthPki, proxyName, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { startGuardedAdapter, stopGuarded, type Send } from '../helpers/guarded-adapter.js';

// NB: discovery answers 200 with no metric written; a data path for a metric never written is a 404.
const path = '/apis/custom.metrics.k8s.io/v1beta2';

/** A JSON logger whose lines a test can wait for, event by event. */
function capturingLogger() {
  const lines: string[] = [];
  const waiters: { pattern: RegExp; from: number; resolve: (line: string) => void }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '')) {
        lines.push(line);
        for (const waiter of [...waiters]) {
          if (lines.length > waiter.from && waiter.pattern.test(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
      done();
    },
  });
  return {
    logger: createLogger({ format: 'json', verbosity: 0, destination }),
    /** The next line after now that matches. */
    next(pattern: RegExp): Promise<string> {
      return new Promise((resolve) => waiters.push({ pattern, from: lines.length, resolve }));
    },
  };
}

describe('CA files re-read when they change', () => {
  let pki: AuthPki;
  let api: FakeAuthApi;
  let auth: DelegatedAuth;
  let adapter: Adapter;
  let send: Send;
  let logs: ReturnType<typeof capturingLogger>;
  let clientCaFile: string;
  let proxyCaFile: string;
  let next: { caPem: string; user: IssuedCertificate; proxyCaPem: string; proxy: IssuedCertificate };

  before(async () => {
    pki = await createAuthPki();
    const now = Date.now();
    const valid = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
    const [clientCa, proxyCa] = await Promise.all([
      createCertificateAuthority({ commonName: 'rotated-client-ca', ...valid }),
      createCertificateAuthority({ commonName: 'rotated-front-proxy-ca', ...valid }),
    ]);
    next = {
      caPem: clientCa.certPem,
      user: await clientCa.issue({ commonName: 'carol', usages: ['clientAuth'], ...valid }),
      proxyCaPem: proxyCa.certPem,
      proxy: await proxyCa.issue({ commonName: proxyName, usages: ['clientAuth'], ...valid }),
    };
    // Copies the test may overwrite, as a Secret volume's contents change under a running Pod.
    clientCaFile = join(pki.dir, 'rotating-client-ca.crt');
    proxyCaFile = join(pki.dir, 'rotating-front-proxy-ca.crt');
    await writeFile(clientCaFile, await readFile(pki.clientCaFile));
    await writeFile(proxyCaFile, await readFile(pki.proxyCaFile));
    api = await startFakeAuthApi();
    const kubeconfig = await api.writeKubeconfig(pki.dir);
    logs = capturingLogger();
    const created = await createDelegatedAuth(
      {
        requestheaderClientCaFile: proxyCaFile,
        clientCaFile,
        authenticationKubeconfig: kubeconfig,
        authorizationKubeconfig: kubeconfig,
        authenticationSkipLookup: true,
        caFileCheckIntervalMs: 50,
      },
      logs.logger,
    );
    assert.ok(created);
    auth = created;
    ({ adapter, send } = await startGuardedAdapter(pki, auth));
  });
  after(() => stopGuarded({ auth, adapter, api, pki }));

  test('--client-ca-file: a broken new file is logged and the old CA kept; a new CA then replaces the old one', async () => {
    assert.equal((await send(path, { certificate: pki.alice })).status, 200);
    assert.equal((await send(path, { certificate: next.user })).status, 401);

    const refused = logs.next(/keeping the current --client-ca-file/);
    await writeFile(clientCaFile, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    assert.match(await refused, /"level":50/);
    assert.equal((await send(path, { certificate: pki.alice })).status, 200, 'the old CA still works');

    const loaded = logs.next(/loaded the new --client-ca-file/);
    await writeFile(clientCaFile, next.caPem);
    await loaded;
    assert.equal((await send(path, { certificate: next.user })).status, 200, 'the new CA is trusted');
    assert.equal((await send(path, { certificate: pki.alice })).status, 401, 'the old CA is not any more');
  });

  test('--requestheader-client-ca-file: the rotated front-proxy CA applies without a restart', async () => {
    const asProxy = (certificate: IssuedCertificate, user = 'jane') => ({
      certificate,
      headers: { 'X-Remote-User': user },
    });
    assert.equal((await send(path, asProxy(pki.proxy))).status, 200);
    const refused = logs.next(/keeping the current --requestheader-client-ca-file/);
    await writeFile(proxyCaFile, 'no PEM here\n');
    await refused;
    assert.equal((await send(path, asProxy(pki.proxy))).status, 200, 'the old CA still works');

    const loaded = logs.next(/loaded the new --requestheader-client-ca-file/);
    await writeFile(proxyCaFile, next.proxyCaPem);
    await loaded;
    api.reset();
    assert.equal((await send(path, asProxy(next.proxy, 'june'))).status, 200);
    assert.deepEqual(
      api.reviews.map((r) => r.user),
      ['june'],
      'the new proxy forwarded its user',
    );
    assert.equal((await send(path, asProxy(pki.proxy))).status, 401, 'the old front proxy is refused');
  });
});
