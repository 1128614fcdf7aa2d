/** The real `metrics-adapter gen-certs` command: the caBundle alone on stdout, mistakes as one `error:` line. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/adapter-process.js';

test('gen-certs prints the caBundle of the CA it wrote, and refuses a bad Service name with exit 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-gen-certs-cli-'));
  try {
    const ok = await runCli(['gen-certs', '--service', 'adapter', '--namespace', 'monitoring', '--out', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^[A-Za-z0-9+/=]+\n$/);
    assert.equal(Buffer.from(ok.stdout.trim(), 'base64').toString('utf8'), await readFile(join(dir, 'ca.crt'), 'utf8'));
    const bad = await runCli(['gen-certs', '--service', 'Adapter', '--namespace', 'monitoring', '--out', dir]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      "error: option '--service <name>' argument 'Adapter' is invalid. must be a DNS label: lower-case letters, digits and \"-\", at most 63.\n",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
