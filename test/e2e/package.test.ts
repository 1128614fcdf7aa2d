/**
 * What `npm pack` publishes: only the built code, its declarations, the Helm chart (which `manifests` renders),
 * the example manifests, README and CHANGELOG; and importing
 * the package has no side effects (no output, no open handles, no listeners).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../helpers/adapter-process.js';

const run = promisify(execFile);
const built = existsSync(join(projectRoot, 'dist/index.js'));
const skip = built ? false : 'dist/ is not built (npm ci builds it through "prepare")';

test('npm pack contains only dist code and declarations, the chart, examples, README, CHANGELOG and package.json', {
  skip,
}, async () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: projectRoot,
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  const unexpected = files.filter(
    (path) =>
      !['README.md', 'CHANGELOG.md', 'package.json'].includes(path) &&
      !/^LICENSE/.test(path) &&
      !/^dist\/.+\.(js|d\.ts)$/.test(path) &&
      !/^deploy\/.+\.yaml$/.test(path) &&
      !/^charts\/metrics-adapter\/(Chart\.yaml|values\.yaml|\.helmignore|templates\/[a-z_-]+\.(yaml|tpl)|templates\/NOTES\.txt|crds\/[a-z-]+\.yaml)$/.test(
        path,
      ),
  );
  assert.deepEqual(unexpected, []);
  assert.deepEqual(
    files.filter((path) => path.includes('.test.')),
    [],
  );
  for (const needed of [
    'dist/index.js',
    'dist/index.d.ts',
    'dist/cli/main.js',
    'dist/providers/function/index.js',
    'charts/metrics-adapter/Chart.yaml',
    'charts/metrics-adapter/templates/deployment.yaml',
    'charts/metrics-adapter/crds/metricqueries.yaml',
    'CHANGELOG.md',
    'README.md',
  ]) {
    assert.ok(files.includes(needed), `${needed} is published`);
  }
});

test('importing the package prints nothing, starts nothing and exits at once', { skip }, async () => {
  const script = `
    const events = ['SIGTERM', 'SIGINT', 'exit', 'uncaughtException'];
    // NB: node's own top-level-await handler listens on 'exit' already; count what the import adds.
    const before = events.map((e) => process.listenerCount(e));
    const api = await import(${JSON.stringify(join(projectRoot, 'dist/index.js'))});
    const listeners = events.map((e, i) => process.listenerCount(e) - before[i]);
    console.log(JSON.stringify({ exports: Object.keys(api).sort(), listeners }));
  `;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: projectRoot,
    timeout: 20_000,
  });
  assert.equal(stderr, '');
  const { exports, listeners } = JSON.parse(stdout) as { exports: string[]; listeners: number[] };
  assert.deepEqual(listeners, [0, 0, 0, 0]);
  for (const name of [
    'createAdapter',
    'createFunctionProvider',
    'createFakeProvider',
    'value',
    'variants',
    'createManualClock',
    'StatusError',
    'parseQuantity',
    'parseSelector',
    'addServeFlags',
  ]) {
    assert.ok(exports.includes(name), `${name} is exported`);
  }
});
