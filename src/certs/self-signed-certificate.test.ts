import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateError } from './certificate-error.js';
import { generateCertificates } from './generate-certificates.js';
import { ensureSelfSignedCertificate, generationLock, type ServingCertificate } from './self-signed-certificate.js';
import { collectSubjectAltNames } from './subject-alt-names.js';

const serverAuth = '1.3.6.1.5.5.7.3.1';

describe('ensureSelfSignedCertificate', () => {
  let root: string;
  let count = 0;
  const freshDir = () => join(root, `certs-${++count}`);
  const readAll = async (c: ServingCertificate) =>
    Promise.all([c.caFile, c.certFile, c.keyFile].map((f) => readFile(f, 'utf8')));

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'metrics-adapter-certs-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  test('rejects a validity too short to ever be reused', async () => {
    await assert.rejects(ensureSelfSignedCertificate({ certDir: freshDir(), hosts: [], validityDays: 1 }), RangeError);
    await assert.rejects(
      ensureSelfSignedCertificate({ certDir: freshDir(), hosts: [], validityDays: 2.5 }),
      RangeError,
    );
  });

  test('rejects a bad name before touching the directory', async () => {
    const certDir = freshDir();
    await assert.rejects(ensureSelfSignedCertificate({ certDir, hosts: [], ips: ['nope'] }), CertificateError);
    await assert.rejects(stat(certDir), { code: 'ENOENT' });
  });

  test('says which directory it cannot create', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    await assert.rejects(ensureSelfSignedCertificate({ certDir: join(file, 'certs'), hosts: [] }), (error: unknown) => {
      assert.ok(error instanceof CertificateError);
      assert.equal(error.code, 'CertificateError');
      assert.equal(
        error.message,
        `cannot create the certificate directory ${join(file, 'certs')}: a parent of it is not a directory`,
      );
      return true;
    });
  });

  // NB: no time limit here: speed is for `npm run bench`, and a loaded CI machine makes timed tests flaky.
  test('generates a CA and a serving certificate that chains to it', async () => {
    const certDir = freshDir();
    const result = await ensureSelfSignedCertificate({
      certDir,
      hosts: ['metrics.custom-metrics.svc'],
      ips: ['10.0.0.7'],
    });
    assert.equal(result.generated, true);
    assert.deepEqual(
      { caFile: result.caFile, certFile: result.certFile, keyFile: result.keyFile },
      {
        caFile: join(certDir, 'ca.crt'),
        certFile: join(certDir, 'apiserver.crt'),
        keyFile: join(certDir, 'apiserver.key'),
      },
    );
    assert.deepEqual(await readAll(result), [result.caPem, result.certPem, result.keyPem]);

    const ca = new X509Certificate(result.caPem);
    const cert = new X509Certificate(result.certPem);
    assert.equal(ca.ca, true);
    assert.match(ca.subject, /^CN=metrics-adapter-ca@\d+$/);
    assert.equal(cert.ca, false);
    assert.equal(cert.subject, 'CN=metrics-adapter');
    assert.ok(cert.verify(ca.publicKey));
    assert.ok(cert.checkIssued(ca));
    assert.ok(cert.checkPrivateKey(createPrivateKey(result.keyPem)));
    assert.deepEqual(cert.keyUsage, [serverAuth]);
    assert.equal(
      cert.subjectAltName,
      'DNS:localhost, DNS:metrics.custom-metrics.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.0.0.7',
    );
    const days = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365, `valid for ${days} days`);
    assert.ok(new Date(cert.validFrom).getTime() < Date.now() - 50 * 60_000, 'backdated for clock skew');
  });

  test('creates the directory 0700, the key 0600 and the certificates 0644', async () => {
    const certDir = join(freshDir(), 'nested');
    const result = await ensureSelfSignedCertificate({ certDir, hosts: [] });
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    assert.equal(await mode(certDir), 0o700);
    assert.equal(await mode(result.keyFile), 0o600);
    assert.equal(await mode(result.certFile), 0o644);
    assert.equal(await mode(result.caFile), 0o644);
    assert.deepEqual(
      (await readdir(certDir)).sort(),
      ['apiserver.crt', 'apiserver.key', 'ca.crt'],
      'no temporary files left',
    );
  });

  test('reuses what it wrote: same bytes, generated false', async () => {
    const certDir = freshDir();
    const first = await ensureSelfSignedCertificate({ certDir, hosts: ['a.example'], ips: ['10.0.0.1'] });
    const second = await ensureSelfSignedCertificate({ certDir, hosts: ['A.example'], ips: ['10.0.0.1'] });
    assert.equal(second.generated, false);
    assert.deepEqual([second.caPem, second.certPem, second.keyPem], [first.caPem, first.certPem, first.keyPem]);
    const subset = await ensureSelfSignedCertificate({ certDir, hosts: [] });
    assert.equal(subset.generated, false, 'fewer names are still covered');
  });

  test('regenerates all three files when a new name is requested', async () => {
    const certDir = freshDir();
    const first = await ensureSelfSignedCertificate({ certDir, hosts: ['a.example'] });
    for (const more of [{ hosts: ['a.example', 'b.example'] }, { hosts: ['a.example'], ips: ['192.168.1.9'] }]) {
      const next = await ensureSelfSignedCertificate({ certDir, ...more });
      assert.equal(next.generated, true, JSON.stringify(more));
      assert.notEqual(next.caPem, first.caPem);
      assert.notEqual(next.keyPem, first.keyPem);
      assert.deepEqual(await readAll(next), [next.caPem, next.certPem, next.keyPem]);
    }
  });

  test('regenerates when a file is missing, corrupted, or from another set', async () => {
    const certDir = freshDir();
    const original = await ensureSelfSignedCertificate({ certDir, hosts: [] });
    const other = await generateCertificates({
      names: collectSubjectAltNames([]),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    });
    const damage: [string, (f: ServingCertificate) => Promise<void>][] = [
      ['missing ca.crt', (f) => rm(f.caFile)],
      ['missing apiserver.key', (f) => rm(f.keyFile)],
      ['garbage apiserver.crt', (f) => writeFile(f.certFile, 'not a certificate')],
      ['truncated ca.crt', (f) => writeFile(f.caFile, f.caPem.slice(0, 200))],
      [
        'garbage apiserver.key',
        (f) => writeFile(f.keyFile, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      ],
      ['key of another certificate', (f) => writeFile(f.keyFile, other.keyPem)],
      ['CA that did not sign it', (f) => writeFile(f.caFile, other.caPem)],
      ['serving certificate as CA', (f) => writeFile(f.caFile, f.certPem)],
    ];
    let current = original;
    for (const [what, spoil] of damage) {
      await spoil(current);
      const next = await ensureSelfSignedCertificate({ certDir, hosts: [] });
      assert.equal(next.generated, true, what);
      assert.deepEqual(await readAll(next), [next.caPem, next.certPem, next.keyPem], what);
      current = next;
    }
  });

  test('regenerates a set that expires within a day or is not valid yet', async () => {
    const names = collectSubjectAltNames([]);
    const now = Date.now();
    const windows: [string, number, number][] = [
      ['expires in 23 hours', now - 86_400_000, now + 23 * 3_600_000],
      ['expired', now - 2 * 86_400_000, now - 86_400_000],
      ['starts tomorrow', now + 86_400_000, now + 30 * 86_400_000],
    ];
    for (const [what, notBefore, notAfter] of windows) {
      const certDir = freshDir();
      await mkdir(certDir);
      const set = await generateCertificates({ names, notBefore: new Date(notBefore), notAfter: new Date(notAfter) });
      await writeFile(join(certDir, 'ca.crt'), set.caPem);
      await writeFile(join(certDir, 'apiserver.crt'), set.certPem);
      await writeFile(join(certDir, 'apiserver.key'), set.keyPem);
      const next = await ensureSelfSignedCertificate({ certDir, hosts: [] });
      assert.equal(next.generated, true, what);
      assert.notEqual(next.certPem, set.certPem, what);
    }
  });

  test('says which file it cannot write, and leaves no temporary file', async () => {
    const certDir = freshDir();
    await mkdir(join(certDir, 'apiserver.key'), { recursive: true });
    await assert.rejects(ensureSelfSignedCertificate({ certDir, hosts: [] }), {
      name: 'CertificateError',
      message: `cannot write ${join(certDir, 'apiserver.key')}: it is a directory`,
    });
    assert.deepEqual(await readdir(certDir), ['apiserver.key']);
  });
  test('two starts on one directory at once end with one CA, written once', async () => {
    const certDir = freshDir();
    const both = await Promise.all(
      [1, 2, 3].map(() => ensureSelfSignedCertificate({ certDir, hosts: ['metrics.example'] })),
    );
    assert.deepEqual(new Set(both.map((c) => c.caPem)).size, 1, 'every caller serves under the same CA');
    assert.deepEqual(new Set(both.map((c) => c.certPem)).size, 1);
    assert.deepEqual(both.map((c) => c.generated).sort(), [false, false, true]);
    const [caPem] = await readAll(both[0]!);
    assert.equal(caPem, both[0]!.caPem, 'the CA on disk signs what every caller serves');
    assert.deepEqual((await readdir(certDir)).sort(), ['apiserver.crt', 'apiserver.key', 'ca.crt'], 'the lock is gone');
  });

  test('waits for another process generating, then serves its CA and certificate', async () => {
    const certDir = freshDir();
    await mkdir(certDir);
    await writeFile(join(certDir, generationLock), '12345\n', { flag: 'wx' });
    const waiting = ensureSelfSignedCertificate({ certDir, hosts: [] });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The other process finishes: its set lands, then its lock goes.
    const theirs = await generateCertificates({
      names: collectSubjectAltNames([]),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    });
    await writeFile(join(certDir, 'ca.crt'), theirs.caPem);
    await writeFile(join(certDir, 'apiserver.crt'), theirs.certPem);
    await writeFile(join(certDir, 'apiserver.key'), theirs.keyPem);
    await rm(join(certDir, generationLock));
    const mine = await waiting;
    assert.equal(mine.generated, false);
    assert.deepEqual([mine.caPem, mine.certPem, mine.keyPem], [theirs.caPem, theirs.certPem, theirs.keyPem]);
  });

  test('takes over a lock left by a process that died while generating', async () => {
    const certDir = freshDir();
    await mkdir(certDir);
    const lock = join(certDir, generationLock);
    await writeFile(lock, '12345\n');
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lock, minuteAgo, minuteAgo);
    const result = await ensureSelfSignedCertificate({ certDir, hosts: [] });
    assert.equal(result.generated, true);
    await assert.rejects(stat(lock), { code: 'ENOENT' });
  });
});
