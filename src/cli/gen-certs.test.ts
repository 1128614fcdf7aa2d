import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { genCerts } from './gen-certs.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-gen-certs-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

test('gen-certs writes a CA and a serving certificate for NAME.NS.svc and returns the caBundle', async () => {
  const out = join(dir, 'certs');
  const caBundle = await genCerts({
    service: 'custom-metrics-apiserver',
    namespace: 'custom-metrics',
    out,
    validityDays: 30,
  });
  const [ca, cert] = await Promise.all([readFile(join(out, 'ca.crt'), 'utf8'), readFile(join(out, 'tls.crt'), 'utf8')]);
  assert.equal(Buffer.from(caBundle, 'base64').toString('utf8'), ca);
  const caCert = new X509Certificate(ca);
  const serving = new X509Certificate(cert);
  assert.ok(caCert.ca);
  assert.ok(serving.checkIssued(caCert) && serving.verify(caCert.publicKey), 'signed by ca.crt');
  for (const name of [
    'custom-metrics-apiserver.custom-metrics.svc',
    'custom-metrics-apiserver.custom-metrics.svc.cluster.local',
  ]) {
    assert.equal(serving.checkHost(name, { subject: 'never' }), name);
  }
  assert.equal(serving.checkHost('other.custom-metrics.svc', { subject: 'never' }), undefined);
  assert.equal((await stat(join(out, 'tls.key'))).mode & 0o777, 0o600);
  const days = (new Date(serving.validTo).getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30, String(days));
});
