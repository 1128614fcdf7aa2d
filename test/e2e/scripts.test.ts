/**
 * The cluster scripts cannot run here (no cluster), so they are checked statically: bash parses them
 * and shellcheck (Debian package `shellcheck`) finds nothing. Skipped when shellcheck is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/adapter-process.js';

const scripts = readdirSync(join(projectRoot, 'scripts'))
  .filter((f) => f.endsWith('.sh'))
  .map((f) => join('scripts', f));

function run(command: string, args: readonly string[]): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: projectRoot, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : (error.code ?? 1), output: stdout + stderr }),
    );
  });
}

test('the cluster scripts exist and bash parses them', async () => {
  assert.deepEqual(scripts.map((s) => s.slice('scripts/'.length)).sort(), [
    'deploy.sh',
    'develop.sh',
    'lib.sh',
    'remove.sh',
    'smoke-test.sh',
  ]);
  for (const script of scripts) {
    const result = await run('bash', ['-n', script]);
    assert.equal(result.code, 0, `${script}: ${result.output}`);
  }
});

test('shellcheck finds nothing in the cluster scripts', async (t) => {
  const probe = await run('shellcheck', ['--version']);
  if (probe.code === 'ENOENT') return t.skip('shellcheck not installed (apt-get install shellcheck)');
  const result = await run('shellcheck', ['-x', ...scripts]);
  assert.equal(result.code, 0, result.output);
});
