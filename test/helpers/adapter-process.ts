/**
 * Starts the real `metrics-adapter serve` in a child process on a free loopback port, with its own
 * certificate directory, and stops it. End-to-end tests talk to it over real TLS.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * NB: generous, because a start with authentication or a cluster imports @kubernetes/client-node, which takes
 * seconds through tsx and far longer on a loaded 2-core CI machine; a start that never comes still fails.
 */
const startTimeoutMs = 120_000;

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const cliSource = join(projectRoot, 'src/cli/main.ts');

export interface AdapterProcess {
  readonly url: string;
  readonly caFile: string;
  readonly certDir: string;
  readonly kubeconfig: string;
  /** The `serve` process itself, for tests that signal it. */
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  logs(): string;
  stop(): Promise<void>;
  /** kill -9: no shutdown runs, as when a node dies. */
  kill(): Promise<void>;
}

/** Runs the CLI from source (through tsx) so tests never see a stale build. */
export function cliCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', cliSource, ...args] };
}

export interface StartAdapterOptions {
  readonly timeoutMs?: number;
  /** Added to the child's environment (such as `SDC_TOKEN`), over this process's. */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startAdapter(
  extraArgs: readonly string[] = [],
  options: StartAdapterOptions = {},
): Promise<AdapterProcess> {
  return startServing(
    (certDir) =>
      cliCommand(['serve', '--secure-port', '0', '--cert-dir', certDir, '--log-format', 'json', ...extraArgs]),
    options,
  );
}

/**
 * `metrics-adapter <args>` exactly as given (no port or cert-dir added); it must log its `serving ...` line as JSON.
 */
export async function startCli(args: readonly string[], options: StartAdapterOptions = {}): Promise<AdapterProcess> {
  return startServing(() => cliCommand(args), options);
}

export type StartExampleOptions = StartAdapterOptions;

/** A library adapter of its own: runs `examples/<file>` through tsx, as its header says, with `run()`'s flags. */
export async function startExample(
  file: string,
  options: StartExampleOptions = {},
): Promise<AdapterProcess & { stdin: Writable }> {
  const source = join(projectRoot, 'examples', file);
  return startServing(
    (certDir) => ({
      command: process.execPath,
      args: ['--import', 'tsx', source, '--secure-port', '0', '--cert-dir', certDir, '--log-format', 'json'],
    }),
    options,
  );
}

/**
 * The CLI with exactly `args` (no `serve`, no `--log-format`), as a peer's Deployment starts its image; `certDir` is
 * the `--cert-dir` among them (its `ca.crt` is the CA), and is removed on stop.
 */
export async function startServingArgs(
  args: readonly string[],
  certDir: string,
  options: StartAdapterOptions = {},
): Promise<AdapterProcess> {
  return startServing(() => cliCommand(args), options, certDir);
}

async function startServing(
  commandFor: (certDir: string) => { command: string; args: string[] },
  options: StartExampleOptions,
  givenCertDir?: string,
): Promise<AdapterProcess & { stdin: Writable }> {
  const certDir = givenCertDir ?? (await mkdtemp(join(tmpdir(), 'metrics-adapter-e2e-')));
  const { command, args } = commandFor(certDir);
  const child = spawn(command, args, {
    cwd: projectRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stdout.resume();
  const url = await new Promise<string>((resolve, reject) => {
    // NB: a child left running after a failed start keeps the test file's process, and so the whole run, alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      void rm(certDir, { recursive: true, force: true });
      reject(new Error(`adapter did not start in time; log:\n${stderr}`));
    }, options.timeoutMs ?? startTimeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      // NB: a text log (no --log-format json) names the URL in the message.
      const text = /serving the metrics APIs on (https:\/\/[^;\s]+);/.exec(stderr);
      if (text !== null) {
        clearTimeout(timer);
        resolve(text[1]!);
      }
      for (const line of stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { url?: string; msg?: string };
          if (entry.url !== undefined && entry.msg?.startsWith('serving') === true) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // a partial line; wait for the rest
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`adapter exited with ${code} before serving; log:\n${stderr}`));
    });
  });
  return {
    url,
    stdin: child.stdin,
    caFile: join(certDir, 'ca.crt'),
    certDir,
    kubeconfig: join(certDir, 'kubeconfig'),
    child,
    logs: () => stderr,
    async stop() {
      child.stdin.end();
      await stopChild(child);
      await rm(certDir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(certDir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { command, args: full } = cliCommand(args);
  const child = spawn(command, full, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
