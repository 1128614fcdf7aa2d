/**
 * The push ingestion rows of `npm run bench`: remote-write, OTLP protobuf, batched JSON and single writes, each
 * against the adapter and against the bare node:https ceiling that reads and discards the same bodies (A/B per
 * round), in samples per second. Runs alone with `node --import tsx bench/ingest.ts` after `npm run build`.
 * @module
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, mean, type LoadSettings } from './ab.js';
import type { IngestKind, IngestLoadResult } from './ingest-load.js';
import { runIngestLoad, startAdapter, startCeiling } from './processes.js';
import { checkLine, type Check } from './report.js';
import { createBenchClient } from './seed.js';

export interface IngestRow {
  readonly kind: IngestKind;
  readonly batch: number;
  readonly adapterSamplesPerSecond: number;
  readonly ceilingSamplesPerSecond: number;
  readonly ratio: number;
  readonly errors: number;
  /**
   * Samples the adapter took in no window (unused, dropped as out of order, or rejected), from its
   * `metrics_adapter_pushed_samples_total`; undefined for the write API rows, which it does not count.
   */
  readonly notTaken: number | undefined;
}

/** What `/metrics` says the adapter did not take of `protocol`'s samples so far. */
async function notTakenSoFar(client: ReturnType<typeof createBenchClient>, protocol: string): Promise<number> {
  const text = (await client.send('/metrics')).body;
  let sum = 0;
  for (const outcome of ['unused', 'dropped', 'rejected']) {
    const line = new RegExp(
      `^metrics_adapter_pushed_samples_total\\{protocol="${protocol}",outcome="${outcome}"\\} (\\d+)$`,
      'm',
    );
    const match = line.exec(text);
    if (match === null) throw new Error(`no pushed_samples_total for ${protocol} ${outcome} in /metrics`);
    sum += Number(match[1]);
  }
  return sum;
}

export async function measureIngest(
  workDir: string,
  settings: LoadSettings,
): Promise<{ rows: IngestRow[]; checks: Check[]; lines: string[] }> {
  const certDir = join(workDir, 'ingest-certs');
  const adapter = await startAdapter(certDir);
  const ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
  const rows: IngestRow[] = [];
  const client = createBenchClient(adapter.url, ca);
  try {
    const kinds: { kind: IngestKind; batch: number; status: number; contentType: string; body: string }[] = [
      { kind: 'remote-write', batch: 1000, status: 204, contentType: '', body: '' },
      { kind: 'otlp', batch: 1000, status: 200, contentType: 'application/x-protobuf', body: '' },
      {
        kind: 'batch',
        batch: 1000,
        status: 200,
        contentType: 'application/json',
        body: '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","message":"stored 1000 values","code":200}\n',
      },
      {
        kind: 'single',
        batch: 1,
        status: 200,
        contentType: 'application/json',
        body: '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","message":"stored bench_single=5m for pods bench-push/pod-1","code":200}\n',
      },
    ];
    for (const kind of kinds) {
      const ceiling = await startCeiling(join(workDir, 'ingest-answer.json'), {
        certFile: join(certDir, 'apiserver.crt'),
        keyFile: join(certDir, 'apiserver.key'),
        status: kind.status,
        contentType: kind.contentType,
        body: kind.body,
      });
      const options = {
        ca,
        kind: kind.kind,
        connections: Math.min(settings.connections, 8),
        durationSeconds: settings.durationSeconds,
        batch: kind.batch,
        series: 10 * kind.batch,
      };
      // NB: a series is resolved against the rules once, on first sight; a real sender's series are long known.
      const protocol = kind.kind === 'remote-write' || kind.kind === 'otlp' ? kind.kind : undefined;
      const notTakenBefore = protocol === undefined ? 0 : await notTakenSoFar(client, protocol);
      // NB: each run's samples are later than the last run's, so that none is dropped as out of order.
      let clock = Date.now();
      const toAdapter = async (durationSeconds: number) => {
        const run = await runIngestLoad({ ...options, durationSeconds, url: adapter.url, startMs: clock });
        clock = run.nextStartMs;
        return run;
      };
      await toAdapter(1);
      const samplesPerSecond = (run: IngestLoadResult) => run.samples / run.seconds;
      let runs: Awaited<ReturnType<typeof alternate<IngestLoadResult>>>;
      try {
        runs = await alternate(
          settings.rounds,
          () => toAdapter(options.durationSeconds),
          () => runIngestLoad({ ...options, url: ceiling.url }),
          samplesPerSecond,
        );
      } finally {
        await ceiling.stop();
      }
      rows.push({
        kind: kind.kind,
        batch: kind.batch,
        adapterSamplesPerSecond: Math.round(mean(runs.adapter.map(samplesPerSecond))),
        ceilingSamplesPerSecond: Math.round(mean(runs.ceiling.map(samplesPerSecond))),
        ratio: Number(runs.ratio.toFixed(3)),
        errors: runs.adapter.reduce((sum, run) => sum + run.errors, 0),
        notTaken: protocol === undefined ? undefined : (await notTakenSoFar(client, protocol)) - notTakenBefore,
      });
    }
  } finally {
    client.close();
    await adapter.stop();
  }
  const byKind = (kind: IngestKind) => rows.find((row) => row.kind === kind)!;
  const remote = byKind('remote-write');
  const checks: Check[] = [
    {
      name: 'remote-write ingest, samples/s at 1,000 samples per request',
      value: remote.adapterSamplesPerSecond,
      target: 300_000,
      kind: 'atLeast',
      unit: 'samples/s',
    },
    {
      name: 'remote-write ingest vs the bare server receiving the same bodies',
      value: remote.ratio,
      target: 0.5,
      kind: 'atLeast',
      unit: '×',
    },
    {
      name: 'OTLP protobuf ingest vs remote-write, samples/s at 1,000 per request',
      value: Number((byKind('otlp').adapterSamplesPerSecond / remote.adapterSamplesPerSecond).toFixed(3)),
      target: 0.8,
      kind: 'atLeast',
      unit: '×',
    },
    {
      name: 'batched JSON writes vs single writes, samples/s',
      value: Number((byKind('batch').adapterSamplesPerSecond / byKind('single').adapterSamplesPerSecond).toFixed(1)),
      target: 20,
      kind: 'atLeast',
      unit: '×',
    },
  ];
  const lines = [
    '| push ingestion | samples per request | adapter samples/s | ceiling samples/s | ratio | errors | samples not taken |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.kind} | ${row.batch} | ${row.adapterSamplesPerSecond} | ${row.ceilingSamplesPerSecond} | **${row.ratio.toFixed(2)}×** | ${row.errors} | ${row.notTaken ?? '—'} |`,
    ),
  ];
  return { rows, checks, lines };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const workDir = await mkdtemp(join(tmpdir(), 'metrics-adapter-bench-ingest-'));
  try {
    const settings = {
      durationSeconds: Number(process.env.BENCH_DURATION ?? 3),
      rounds: Number(process.env.BENCH_ROUNDS ?? 4),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
    };
    const { checks, lines } = await measureIngest(workDir, settings);
    for (const line of lines) process.stdout.write(`${line}\n`);
    for (const check of checks) process.stdout.write(`${checkLine(check)}\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
