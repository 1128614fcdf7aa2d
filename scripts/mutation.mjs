// Mutation testing of the hand-written core with StrykerJS, one folder at a time: each folder's mutants
// run against that folder's own unit tests (node:test through tsx, read as TAP by @stryker-mutator/tap-runner,
// which runs only the test files that cover a mutant). Writes reports/mutation/<folder>/{index.html,mutation.json}
// and prints the score per folder; exits 1 when a folder is under the target.
//   npm run test:mutation [-- [--concurrency N] [--force] [--mutate GLOB…] [folder…]]   folders: see `targets` below
// --mutate narrows a folder to some of its files (e.g. `--mutate src/hpa/replica-calculator.ts hpa`).
// Runs are incremental: results of mutants whose code and tests did not change are taken from the last run's
// reports/mutation/<folder>/stryker-incremental.json; --force runs every mutant again (do that before a release).
// Equivalent mutants are marked in the source with `// Stryker disable next-line <mutator>: <why>`; they
// count as ignored, not as survivors. Each folder has a `break` score, the level its last full run reached: a
// full run of the folder under it (Stryker's `thresholds.break`) or under the 90% target exits 1.
// docs/testing.md says how long a run takes.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';

const target = 90;

/**
 * What each folder mutates, which tests judge it, and the score under which a full run fails. I/O glue is left out: see
 * docs/testing.md.
 */
const targets = {
  hpa: {
    mutate: [
      'src/hpa/replica-calculator.ts',
      'src/hpa/metric-proposal.ts',
      'src/hpa/normalize.ts',
      'src/hpa/tolerance.ts',
      'src/hpa/metric-queries.ts',
    ],
    tests: ['src/hpa/*.test.ts'],
    break: 100,
  },
  quantity: {
    mutate: ['src/quantity/*.ts', '!src/quantity/*.test.ts', '!src/quantity/index.ts'],
    tests: ['src/quantity/*.test.ts'],
    break: 100,
  },
  selector: {
    mutate: ['src/selector/*.ts', '!src/selector/*.test.ts', '!src/selector/index.ts'],
    tests: ['src/selector/*.test.ts'],
    break: 99,
  },
  api: {
    mutate: [
      'src/api/encode-*.ts',
      '!src/api/*.test.ts',
      'src/api/json.ts',
      'src/api/timestamp.ts',
      'src/api/names.ts',
    ],
    tests: ['src/api/*.test.ts'],
    break: 100,
  },
  // The push decoders, judged by their own unit tests only (the pipeline and end-to-end push tests need servers).
  ingest: {
    mutate: [
      'src/ingest/snappy-block.ts',
      'src/ingest/protobuf-reader.ts',
      'src/ingest/otlp-protobuf.ts',
      'src/ingest/otlp-json.ts',
    ],
    tests: [
      'src/ingest/snappy-block.test.ts',
      'src/ingest/protobuf-reader.test.ts',
      'src/ingest/otlp-protobuf.test.ts',
      'src/ingest/otlp-json.test.ts',
      'src/ingest/otlp-json-schema.test.ts',
      'src/ingest/otlp-protobuf-fields.test.ts',
      'src/ingest/decoder-bounds.test.ts',
      'src/ingest/otlp-protobuf-keys.test.ts',
    ],
    break: 100,
  },
  paths: {
    mutate: ['src/server/paths.ts'],
    tests: ['src/server/paths.test.ts', 'src/server/object-metrics-path.test.ts'],
    break: 100,
  },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '2' },
    force: { type: 'boolean', default: false },
    mutate: { type: 'string', multiple: true },
  },
});
const names = positionals.length > 0 ? positionals : Object.keys(targets);
for (const name of names) {
  if (!(name in targets)) {
    process.stderr.write(`error: no mutation target "${name}" (one of: ${Object.keys(targets).join(', ')})\n`);
    process.exit(2);
  }
}

/** Mutation score as Stryker defines it: detected / (detected + undetected), ignored and invalid mutants left out. */
function score(reportFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, Ignored: 0, CompileError: 0, RuntimeError: 0 };
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survivors.push(
          `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${m.status}${m.replacement ? ` → ${m.replacement.split('\n')[0]}` : ''}`,
        );
      }
    }
  }
  const detected = counts.Killed + counts.Timeout;
  const valid = detected + counts.Survived + counts.NoCoverage;
  return { percent: valid === 0 ? 100 : (100 * detected) / valid, detected, valid, ignored: counts.Ignored, survivors };
}

const rows = [];
for (const name of names) {
  const { tests } = targets[name];
  const mutate = values.mutate ?? targets[name].mutate;
  const dir = `reports/mutation/${name}`;
  const started = Date.now();
  // NB: a run narrowed by --mutate scores a part of the folder, which the folder's level does not bind.
  const breakAt = values.mutate === undefined ? (targets[name].break ?? null) : null;
  const stryker = new Stryker({
    mutate,
    testRunner: 'tap',
    plugins: ['@stryker-mutator/tap-runner'],
    tap: {
      testFiles: tests,
      nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
      forceBail: true,
    },
    coverageAnalysis: 'perTest',
    concurrency: Number(values.concurrency),
    reporters: ['html', 'json', 'progress', 'clear-text'],
    htmlReporter: { fileName: `${dir}/index.html` },
    jsonReporter: { fileName: `${dir}/mutation.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
    incremental: true,
    force: values.force,
    incrementalFile: `${dir}/stryker-incremental.json`,
    tempDirName: '.stryker-tmp',
    ignorePatterns: ['dist', 'bench', 'deploy', 'docs', 'examples', 'coverage', '.certs', '.cache', 'reports'],
    thresholds: { high: target, low: 80, break: breakAt },
    // NB: the machine is shared; a loaded core makes a slow test look like an infinite loop.
    timeoutFactor: 3,
    timeoutMS: 10_000,
  });
  await stryker.runMutationTest();
  const result = score(`${dir}/mutation.json`);
  rows.push({ name, breakAt, minutes: (Date.now() - started) / 60_000, ...result });
}

process.stdout.write('\nmutation score per folder (target ≥ 90%):\n');
for (const r of rows) {
  const level = r.breakAt === null ? '' : `, fails under ${r.breakAt}%`;
  process.stdout.write(
    `  ${r.name.padEnd(9)} ${r.percent.toFixed(1).padStart(5)}%  ${r.detected}/${r.valid} killed, ${r.ignored} ignored as equivalent${level}, ${r.minutes.toFixed(1)} min\n`,
  );
  for (const s of r.survivors) process.stdout.write(`      survived: ${s}\n`);
}
process.stdout.write('reports: reports/mutation/<folder>/index.html\n');
// NB: process.exit replaces the exit code Stryker set for a broken threshold, so check both here.
process.exit(rows.every((r) => r.percent >= target && (r.breakAt === null || r.percent >= r.breakAt)) ? 0 : 1);
