import { test } from 'node:test';
import assert from 'node:assert/strict';
import sysdigBackend, { defaultSysdigUrl, resolveSysdigUrl } from './index.js';

test('the Sysdig URL: the setting, else $SDC_ENDPOINT without its /api/ suffix, else the SaaS default', () => {
  assert.throws(() => resolveSysdigUrl('not a url', {}));
  assert.equal(resolveSysdigUrl('https://eu1.example.test/', {}), 'https://eu1.example.test');
  assert.equal(
    resolveSysdigUrl(undefined, { SDC_ENDPOINT: 'https://sysdig.internal.test/api/' }),
    'https://sysdig.internal.test',
  );
  assert.equal(resolveSysdigUrl(undefined, {}), defaultSysdigUrl);
});

test('the config section is strict and names a bad aggregation', () => {
  assert.equal(sysdigBackend.configSchema.safeParse({ tokne: 'x' }).success, false);
  const bad = sysdigBackend.configSchema.safeParse({ metrics: [{ name: 'm', groupAggregation: 'median' }] });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['metrics', 0, 'groupAggregation']);
  assert.equal(sysdigBackend.configSchema.parse({}).timeout, '10s');
});

test('no flag carries the token', () => {
  assert.ok(!(sysdigBackend.flags ?? []).some((f) => f.configKey === 'token' || /^sysdig-token$/.test(f.name)));
});
