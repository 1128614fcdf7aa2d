/**
 * Child processes for the benchmark: the built adapter (`dist/`) and the ceiling server.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IngestLoadOptions, IngestLoadResult } from './ingest-load.js';
import type { LoadOptions, LoadResult } from './load.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const loadScript = fileURLToPath(new URL('./load.ts', import.meta.url));
const ingestLoadScript = fileURLToPath(new URL('./ingest-load.ts', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** `nodeArgs` go to node before the script (the memory bench's garbage-collection hook). */
export async function startAdapter(
  certDir: string,
  extraArgs: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(root, 'dist/cli/main.js'),
      'serve',
      '--secure-port',
      '0',
      '--cert-dir',
      certDir,
      '--log-format',
      'json',
      ...extraArgs,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      const match = /"url":"(https:\/\/[^"]+)"/.exec(log);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`adapter exited with ${code}:\n${log}`)));
  });
  child.stderr!.resume();
  return { process: child, url, stop: () => stop(child) };
}

/** What a ceiling or floor server answers every request with, from the adapter's answer: its answer file. */
export interface ServedAnswer {
  readonly certFile: string;
  readonly keyFile: string;
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** The ceiling server, or with `script` another bare server that takes the same answer file (bench/floor-server.ts). */
export async function startCeiling(
  answerFile: string,
  answer: ServedAnswer,
  nodeArgs: readonly string[] = [],
  script = 'bench/ceiling-server.ts',
): Promise<Child> {
  await writeFile(answerFile, JSON.stringify(answer));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, script), answerFile], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').once('data', (chunk: string) => resolve(chunk.trim()));
    child.once('exit', (code) => reject(new Error(`ceiling exited with ${code}`)));
  });
  return { process: child, url: `https://127.0.0.1:${port}`, stop: () => stop(child) };
}

/**
 * Runs a load generator script in its own process (so it never competes with the bench's event loop), its options as
 * JSON in argv[2], and returns the JSON it prints.
 */
async function runJsonChild<T>(script: string, options: object, what: string): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${what} exited with ${code}`);
  return JSON.parse(out) as T;
}

/** One autocannon run (`load.ts`). */
export const runLoad = (options: LoadOptions): Promise<LoadResult> =>
  runJsonChild(loadScript, options, 'load generator');

/** One run of the push load generator (`ingest-load.ts`). */
export const runIngestLoad = (options: IngestLoadOptions): Promise<IngestLoadResult> =>
  runJsonChild(ingestLoadScript, options, 'ingest load generator');
