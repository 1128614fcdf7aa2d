/**
 * kube-system/extension-apiserver-authentication is watched, not polled: a change applies as the
 * watch event arrives, a bad version or a deletion keeps the last good settings, a watch the server
 * ends is resumed, and while watches fail the ConfigMap is read on a timer instead. Against the
 * fake API server's real watch schema (`?watch=1`, one {type, object} JSON line per event).
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import {
  watchAuthenticationConfigMap,
  type AuthenticationSettingsSource,
} from '../../src/auth/authentication-config-map.js';
import { createKubeApi, loadKubeConfig, type KubeApi } from '../../src/auth/kube-api.js';
import { createSilentLogger } from '../../src/log/index.js';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';

/** Waits for `condition`, checking every 20 ms; fails after 10 s. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the extension-apiserver-authentication ConfigMap is watched', () => {
  let pki: AuthPki;
  let fake: FakeAuthApi;
  let api: KubeApi;
  let source: AuthenticationSettingsSource | undefined;
  let data: (allowedNames: string[]) => Record<string, string>;

  before(async () => {
    pki = await createAuthPki();
    const proxyCa = await readFile(pki.proxyCaFile, 'utf8');
    data = (allowedNames) => ({
      'requestheader-client-ca-file': proxyCa,
      'requestheader-allowed-names': JSON.stringify(allowedNames),
      'requestheader-username-headers': '["X-Remote-User"]',
    });
    fake = await startFakeAuthApi({ authenticationConfigMap: data(['front-proxy-client']) });
    const config = await loadKubeConfig(await fake.writeKubeconfig(pki.dir));
    assert.ok(config);
    api = await createKubeApi(config);
  });
  after(async () => {
    source?.close();
    await fake?.close();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });
  const allowedNames = () => source?.current()?.requestHeader?.allowedNames;

  test('a change arrives by the watch, with no further read; bad versions and a deletion keep the last settings', async () => {
    source = await watchAuthenticationConfigMap(api, createSilentLogger(), 60_000);
    assert.deepEqual(allowedNames(), ['front-proxy-client']);
    await until('the watch is open', () => fake.calls.configMapWatches === 1);
    const reads = fake.calls.configMaps;

    fake.setAuthenticationConfigMap(data(['aggregator']));
    await until('the change applied', () => allowedNames()?.[0] === 'aggregator');
    assert.equal(fake.calls.configMaps, reads, 'no GET: the watch carried it');

    fake.setAuthenticationConfigMap({ ...data(['x']), 'requestheader-allowed-names': 'not json' });
    fake.setAuthenticationConfigMap(undefined);
    fake.setAuthenticationConfigMap(data(['after-recreate']));
    await until('the re-created ConfigMap applied', () => allowedNames()?.[0] === 'after-recreate');
    assert.equal(source.problem(), undefined);
  });

  test('a watch the server ends is resumed, and resyncs from its first ADDED event', async () => {
    assert.ok(source);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the "ended at once" guard
    const watches = fake.calls.configMapWatches;
    fake.endWatches();
    await until('a new watch', () => fake.calls.configMapWatches === watches + 1);
    fake.setAuthenticationConfigMap(data(['resumed']));
    await until('the change applied', () => allowedNames()?.[0] === 'resumed');
  });

  test('while watches fail, the ConfigMap is read on the timer, and watching starts again once it can', async () => {
    source?.close();
    source = await watchAuthenticationConfigMap(api, createSilentLogger(), 100);
    await until('the watch is open', () => allowedNames()?.[0] === 'resumed' && fake.calls.configMapWatches > 0);
    fake.endWatches({ refuseNew: true });
    const reads = fake.calls.configMaps;
    fake.setAuthenticationConfigMap(data(['polled']));
    await until('a poll read the change', () => allowedNames()?.[0] === 'polled');
    assert.ok(fake.calls.configMaps > reads, 'read by GET');

    fake.endWatches(); // accept watches again
    const watches = fake.calls.configMapWatches;
    await until('watching again', () => fake.calls.configMapWatches > watches);
    const readsWhileWatching = fake.calls.configMaps;
    fake.setAuthenticationConfigMap(data(['watched-again']));
    await until('the change applied', () => allowedNames()?.[0] === 'watched-again');
    assert.ok(fake.calls.configMaps - readsWhileWatching <= 1, 'polling stopped once the watch held');
  });
});
