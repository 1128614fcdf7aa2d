/**
 * One bench scenario as an A/B comparison: the load generator against the adapter, then against the ceiling that
 * returns the adapter's own bytes, alternately for every round, and the row of the report that sums it up.
 * @module
 */
import { join } from 'node:path';
import type { LoadOptions, LoadResult } from './load.js';
import type { IngestLoadOptions } from './ingest-load.js';
import { runIngestLoad, runLoad, startCeiling } from './processes.js';
import type { createBenchClient } from './seed.js';

export interface Scenario {
  readonly name: string;
  /** Adapter req/s ÷ ceiling req/s to reach; undefined when the ratio measures something else (Prometheus). */
  readonly target?: number;
  readonly path: string;
  /** Paths each connection asks in turn instead of `path` (the ceiling still answers `path`'s bytes). */
  readonly paths?: readonly string[];
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  /**
   * A second load at a fixed rate during every run, adapter's and ceiling's alike (writes streaming to the metric
   * the scenario reads): the machine does the same extra work on both sides, and only the adapter's answers can
   * be slowed by what the writes change.
   */
  readonly background?: {
    readonly paths: readonly string[];
    readonly method: 'POST';
    readonly body: string;
    readonly rate: number;
    readonly connections: number;
  };
  /**
   * Like `background`, but pushes (remote-write, OTLP, batched JSON) from the push load generator at `rate` requests
   * per second, samples stamped when sent.
   */
  readonly pushBackground?: Pick<IngestLoadOptions, 'kind' | 'batch' | 'series' | 'connections'> & {
    readonly rate: number;
  };
}

export interface LoadSettings {
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly connections: number;
}

/** Where the adapter under test is: its URL, the CA that signed it and the directory of its serving certificate. */
export interface Target {
  readonly url: string;
  readonly ca: string;
  readonly certDir: string;
  readonly client: ReturnType<typeof createBenchClient>;
}

export interface Row {
  readonly scenario: string;
  readonly bytes: number;
  readonly adapter: { readonly rps: number; readonly p50: number; readonly p99: number; readonly errors: number };
  readonly ceiling: { readonly rps: number; readonly p50: number; readonly p99: number };
  readonly ratio: number;
  readonly target: number | null;
  readonly met: boolean | null;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Runs the adapter's side and the ceiling's `rounds` times each, in pairs that take turns at going first (adapter
 * then ceiling, ceiling then adapter, ...), so a machine that speeds up or slows down during a row weighs on both
 * sides alike. The ratio is the median of the pairs' ratios: a pair the machine disturbed does not decide the row.
 */
export async function alternate<R>(
  rounds: number,
  adapterSide: () => Promise<R>,
  ceilingSide: () => Promise<R>,
  rate: (result: R) => number,
): Promise<{ readonly adapter: R[]; readonly ceiling: R[]; readonly ratio: number }> {
  const adapter: R[] = [];
  const ceiling: R[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let a: R;
    let b: R;
    if (round % 2 === 0) {
      a = await adapterSide();
      b = await ceilingSide();
    } else {
      b = await ceilingSide();
      a = await adapterSide();
    }
    adapter.push(a);
    ceiling.push(b);
    ratios.push(rate(a) / rate(b));
  }
  return { adapter, ceiling, ratio: median(ratios) };
}

/** One autocannon run in a child process, with the scenario's background load beside it. */
export async function load(url: string, scenario: Scenario, ca: string, settings: LoadSettings): Promise<LoadResult> {
  const options: LoadOptions = {
    url: url + scenario.path,
    method: scenario.method ?? 'GET',
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
    ca,
    ...(scenario.body !== undefined ? { body: scenario.body } : {}),
    ...(scenario.paths !== undefined ? { paths: scenario.paths } : {}),
  };
  const push = scenario.pushBackground;
  if (push !== undefined) {
    const [result, pushed] = await Promise.all([
      runLoad(options),
      runIngestLoad({ ...push, url, ca, durationSeconds: settings.durationSeconds }),
    ]);
    if (pushed.errors > 0) throw new Error(`${scenario.name}: ${pushed.errors} background pushes failed`);
    return result;
  }
  const background = scenario.background;
  if (background === undefined) return runLoad(options);
  const [result, streamed] = await Promise.all([
    runLoad(options),
    runLoad({
      url: url + background.paths[0]!,
      method: background.method,
      body: background.body,
      paths: background.paths,
      connections: background.connections,
      durationSeconds: settings.durationSeconds,
      ca,
      rate: background.rate,
    }),
  ]);
  if (streamed.errors > 0) throw new Error(`${scenario.name}: ${streamed.errors} background requests failed`);
  return result;
}

/**
 * Asks the adapter once for the scenario's answer, serves those bytes from a ceiling with the adapter's certificate,
 * and runs both `rounds` times in turn ({@link alternate}); the ceiling is stopped before this returns.
 */
export async function compareWithCeiling(
  target: Target,
  scenario: Scenario,
  settings: LoadSettings,
  answerFile: string,
): Promise<Row> {
  const answer = await target.client.send(scenario.path, scenario.method ?? 'GET', scenario.body);
  if (answer.status !== 200) throw new Error(`${scenario.name}: adapter answered ${answer.status}: ${answer.body}`);
  const ceiling = await startCeiling(answerFile, {
    certFile: join(target.certDir, 'apiserver.crt'),
    keyFile: join(target.certDir, 'apiserver.key'),
    status: answer.status,
    contentType: answer.contentType,
    body: answer.body,
  });
  let runs: Awaited<ReturnType<typeof alternate<LoadResult>>>;
  try {
    runs = await alternate(
      settings.rounds,
      () => load(target.url, scenario, target.ca, settings),
      () => load(ceiling.url, scenario, target.ca, settings),
      (result) => result.rps,
    );
  } finally {
    await ceiling.stop();
  }
  const { adapter: a, ceiling: b, ratio } = runs;
  return {
    scenario: scenario.name,
    bytes: Buffer.byteLength(answer.body),
    adapter: {
      rps: Math.round(mean(a.map((r) => r.rps))),
      p50: mean(a.map((r) => r.p50)),
      p99: mean(a.map((r) => r.p99)),
      errors: a.reduce((s, r) => s + r.errors, 0),
    },
    ceiling: {
      rps: Math.round(mean(b.map((r) => r.rps))),
      p50: mean(b.map((r) => r.p50)),
      p99: mean(b.map((r) => r.p99)),
    },
    ratio: Number(ratio.toFixed(3)),
    target: scenario.target ?? null,
    met: scenario.target === undefined ? null : ratio >= scenario.target,
  };
}

/** The row in latest.md's table. */
export function rowLine(row: Row): string {
  const verdict = row.target === null ? 'no target' : `≥${row.target}× ${row.met === true ? 'PASS' : 'MISS'}`;
  return `| ${row.scenario} | ${row.bytes} | ${row.adapter.rps} | ${row.adapter.p50.toFixed(1)} / ${row.adapter.p99.toFixed(1)} | ${row.ceiling.rps} | ${row.ceiling.p50.toFixed(1)} / ${row.ceiling.p99.toFixed(1)} | **${row.ratio.toFixed(2)}×** | ${verdict} |`;
}
