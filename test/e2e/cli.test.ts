/**
 * The `metrics-adapter` command as a user runs it: help text, and one-line errors with exit code 2
 * for every kind of bad flag, config file and certificate.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startAdapter } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-cli-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

function assertOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
}

describe('metrics-adapter CLI errors', () => {
  const serve = (...args: string[]) => runCli(['serve', '--cert-dir', join(dir, 'certs'), ...args]);

  test('unknown flags and bad flag values', async () => {
    assertOneLineError(await serve('--bogus'), /unknown option '--bogus'/);
    assertOneLineError(await serve('--secure-port', '99999'), /--secure-port.*port number/);
    assertOneLineError(await serve('--bind-address', 'localhost'), /--bind-address.*IP address/);
    assertOneLineError(await serve('--backend', 'nope'), /--backend.*memory/);
    assertOneLineError(await serve('--log-format', 'xml'), /--log-format/);
    assertOneLineError(await serve('--metric-ttl', '10 minutes'), /--metric-ttl.*invalid duration/);
    assertOneLineError(await serve('-v', 'loud'), /-v, --v.*number/);
    assertOneLineError(await runCli(['frobnicate']), /unknown command 'frobnicate'/);
  });

  test('refuses a non-loopback address without authentication', async () => {
    assertOneLineError(await serve('--bind-address', '0.0.0.0'), /--insecure-disable-auth/);
  });

  test('config file problems name the file, the line and the key', async () => {
    const file = join(dir, 'adapter.yaml');
    await writeFile(file, 'backend: memory\nmemory:\n  metricTtl: 10m\n');
    assertOneLineError(
      await serve('--config', file),
      /adapter\.yaml:3: memory\.metricTtl: unknown key \(allowed here: metricTTL\)/,
    );
    await writeFile(file, 'memory:\n  metricTTL: ten minutes\n');
    assertOneLineError(await serve('--config', file), /adapter\.yaml:2: memory\.metricTTL: must be a duration/);
    await writeFile(file, 'backend: memory\nbackendz: []\n');
    assertOneLineError(await serve('--config', file), /adapter\.yaml:2: backendz: unknown key/);
    await writeFile(file, 'backends: []\n');
    assertOneLineError(await serve('--config', file), /adapter\.yaml:1: backends: Invalid input: expected record/);
    await writeFile(file, 'backend: mysql\n');
    assertOneLineError(await serve('--config', file), /adapter\.yaml:1: backend:/);
    await writeFile(file, 'memory: [unclosed\n');
    assertOneLineError(await serve('--config', file), /adapter\.yaml:\d+: invalid YAML/);
    await writeFile(file, '- a\n- b\n');
    assertOneLineError(await serve('--config', file), /must be a YAML mapping/);
    assertOneLineError(
      await serve('--config', join(dir, 'missing.yaml')),
      /cannot read config file .*missing\.yaml: ENOENT/,
    );
  });

  test('certificate flag problems', async () => {
    assertOneLineError(
      await serve('--tls-cert-file', join(dir, 'a.crt')),
      /--tls-cert-file and --tls-private-key-file/,
    );
    assertOneLineError(
      await serve('--tls-cert-file', join(dir, 'a.crt'), '--tls-private-key-file', join(dir, 'a.key')),
      /a\.(crt|key).*no such file/,
    );
    await writeFile(join(dir, 'junk.crt'), 'not a certificate');
    await writeFile(join(dir, 'junk.key'), 'not a key');
    assertOneLineError(
      await serve('--tls-cert-file', join(dir, 'junk.crt'), '--tls-private-key-file', join(dir, 'junk.key')),
      /junk\.crt/,
    );
  });

  test('help lists the commands and every serve flag', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /serve/);
    const help = await runCli(['serve', '--help']);
    assert.equal(help.code, 0);
    for (const flag of [
      '--secure-port',
      '--bind-address',
      '--cert-dir',
      '--tls-cert-file',
      '--tls-private-key-file',
      '--backend',
      '--config',
      '--log-format',
      '-v, --v',
      '--metric-ttl',
      '--insecure-disable-auth',
    ]) {
      assert.ok(help.stdout.includes(flag), `serve --help lacks ${flag}`);
    }
  });
});

test('the built bin (package.json "bin", as npx runs it) answers --help', async (t) => {
  const { existsSync } = await import('node:fs');
  const { execFile } = await import('node:child_process');
  const { projectRoot } = await import('../helpers/adapter-process.js');
  const bin = join(projectRoot, 'dist/cli/main.js');
  if (!existsSync(bin)) return t.skip('dist/ is not built (npm ci builds it through "prepare")');
  const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
    execFile(process.execPath, [bin, 'serve', '--help'], (error, stdout) => resolve({ code: error ? 1 : 0, stdout })),
  );
  assert.equal(out.code, 0);
  assert.match(out.stdout, /--secure-port/);
});

describe('metrics-adapter serve with a config file and --insecure-disable-auth', () => {
  test('starts on all addresses with a warning, and uses the config file', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, '# the default back end, with a TTL\nbackend: memory\nmemory:\n  metricTTL: 10m\n');
    const adapter = await startAdapter([
      '--config',
      file,
      '--bind-address',
      '0.0.0.0',
      '--insecure-disable-auth',
      '-v=2',
    ]);
    try {
      assert.match(adapter.logs(), /authentication and authorization are DISABLED/);
      const send = createClient(adapter.url, adapter.caFile);
      const res = await send('/write-metrics/namespaces/default/pods/p/m', { method: 'POST', body: '"1"' });
      assert.equal(res.status, 200, res.body);
    } finally {
      await adapter.stop();
    }
  });
});
