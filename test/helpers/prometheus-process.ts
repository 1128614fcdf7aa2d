/**
 * A real Prometheus for end-to-end tests: Debian's binary on a free loopback port, in a temp dir, scraping the given
 * targets every second. It can be paused (SIGSTOP: a Prometheus that accepts connections but never answers),
 * stopped and started again on the same port and data.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

/** The prometheus binary, or undefined (the test then skips). */
export async function findPrometheus(): Promise<string | undefined> {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    const candidate = join(dir, 'prometheus');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export { freePort };

export interface PrometheusProcess {
  readonly url: string;
  logs(): string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** Starts again on the same port and data directory after `stop()`. */
  start(): Promise<void>;
  /** Stops for good and removes the temp dir. */
  close(): Promise<void>;
}

export interface PrometheusOptions {
  /** Agent mode (scrape and remote-write only): `--enable-feature=agent` on Prometheus 2.x, `--agent` on 3.x. */
  readonly agent?: boolean;
  /** YAML lines appended to the config file (a `remote_write:` section). */
  readonly extraConfig?: readonly string[];
  /** The scrape interval (default 1s). */
  readonly scrapeInterval?: string;
}

/** Prometheus' major version from `--version`, to pick the agent-mode flag. */
async function prometheusMajor(binary: string): Promise<number> {
  const { execFile } = await import('node:child_process');
  const text = await new Promise<string>((resolve) =>
    execFile(binary, ['--version'], (_error, stdout, stderr) => resolve(`${stdout}${stderr}`)),
  );
  return Number(/version (\d+)\./.exec(text)?.[1] ?? 2);
}

export async function startPrometheus(
  binary: string,
  targets: readonly string[],
  options: PrometheusOptions = {},
): Promise<PrometheusProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-prometheus-'));
  const port = await freePort();
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(
    configFile,
    [
      options.agent
        ? `global: {scrape_interval: ${options.scrapeInterval ?? '1s'}}`
        : `global: {scrape_interval: ${options.scrapeInterval ?? '1s'}, evaluation_interval: 1s}`,
      'scrape_configs:',
      '- job_name: exporter',
      `  static_configs: [{targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]}]`,
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const modeFlags = options.agent
    ? [
        (await prometheusMajor(binary)) >= 3 ? '--agent' : '--enable-feature=agent',
        `--storage.agent.path=${join(dir, 'data')}`,
      ]
    : [`--storage.tsdb.path=${join(dir, 'data')}`];

  async function start(): Promise<void> {
    child = spawn(
      binary,
      [`--config.file=${configFile}`, ...modeFlags, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${url}/-/ready`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`prometheus was not ready in 30s:\n${output}`);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGCONT');
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    logs: () => output,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
