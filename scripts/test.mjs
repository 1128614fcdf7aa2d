// Runs the test files with Node's test runner through tsx. Node 20's runner does not expand glob
// patterns (Node 21 does), so this lists them: `node scripts/test.mjs [dir or file…]` (default: src test).
// With CI=true a skipped test fails the run: CI (.ci/run) installs every tool the tests need, so a skip
// there means an install step is missing. Elsewhere skips are reported as usual.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['src', 'test'];
const files = roots
  .flatMap((root) => (statSync(root).isDirectory() ? readdir(root) : [root]))
  .filter((file) => file.endsWith('.test.ts'))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no *.test.ts files under ${roots.join(', ')}\n`);
  process.exit(1);
}

function readdir(root) {
  return readdirSync(root, { recursive: true }).map((entry) => join(root, String(entry)));
}

// NB: naming any reporter replaces node's default (spec on a terminal, TAP otherwise), so it is named again here.
const skipFile = join(mkdtempSync(join(tmpdir(), 'metrics-adapter-test-')), 'skipped.jsonl');
const reporters = [
  '--test-reporter',
  process.stdout.isTTY ? 'spec' : 'tap',
  '--test-reporter-destination',
  'stdout',
  '--test-reporter',
  fileURLToPath(new URL('./skip-reporter.mjs', import.meta.url)),
  '--test-reporter-destination',
  skipFile,
];
// A test file that hangs fails after this long (Node 20 times each file as a whole) instead of holding the run
// until CI's own limit kills it unreported.
const timeout = `--test-timeout=${process.env.TEST_TIMEOUT_MS || 600_000}`;
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', timeout, ...reporters, ...files],
  {
    stdio: 'inherit',
  },
);
child.on('exit', (code, signal) => {
  const status = code ?? (signal ? 1 : 0);
  const skipped = readSkipped();
  rmSync(join(skipFile, '..'), { recursive: true, force: true });
  if (process.env.CI === 'true' && skipped.length > 0) {
    process.stderr.write(
      `\nCI=true: ${skipped.length} test${skipped.length === 1 ? ' was' : 's were'} skipped. On CI .ci/run installs every tool the tests use, so a skip means an install step is missing:\n`,
    );
    for (const s of skipped) process.stderr.write(`  ${s.file}: ${s.name}: ${s.reason || '(no reason given)'}\n`);
    process.exit(status === 0 ? 1 : status);
  }
  process.exit(status);
});

function readSkipped() {
  let text = '';
  try {
    text = readFileSync(skipFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const entry = JSON.parse(line);
      return {
        ...entry,
        file:
          entry.file === ''
            ? ''
            : relative(process.cwd(), entry.file.startsWith('file:') ? fileURLToPath(entry.file) : entry.file),
      };
    });
}
