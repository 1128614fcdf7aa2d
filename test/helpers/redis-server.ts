/**
 * A real redis-server for tests: on a free loopback port, AOF on, in its own temp dir, never the system service.
 * It can be killed with SIGKILL and started again on the same port and dir, so tests see what a crash keeps.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** kill -9: no shutdown, no final AOF rewrite. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir; it loads the AOF. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The redis-server on PATH, or undefined so a test can skip. */
export async function findRedisServer(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat('/usr/bin', '/usr/sbin')) {
    const candidate = join(dir, 'redis-server');
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

export interface RedisServerOptions {
  /** More redis-server arguments, such as `['--requirepass', 'secret']`. */
  readonly args?: readonly string[];
  /** Serve TLS only, on `port`, with these PEM files; clients need not present a certificate. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /**
   * Run as a Sentinel that monitors the master on 127.0.0.1:`port` under `masterName`, with `quorum` (default 1)
   * and, if given, how long the master must be silent before it is down (`downAfterMs`) and the failover timeout.
   */
  readonly sentinelFor?: {
    readonly masterName: string;
    readonly port: number;
    readonly quorum?: number;
    readonly downAfterMs?: number;
    readonly failoverTimeoutMs?: number;
    /** The password of the monitored Redis (`sentinel auth-pass`). */
    readonly authPass?: string;
  };
}

export async function startRedisServer(binary: string, options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-redis-'));
  const port = await freePort();
  const extraArgs = options.args ?? [];
  // NB: a cluster node also listens on a bus port, by default port + 10000, which no one checked was free (it may be
  // an outgoing connection's ephemeral port); a free one is named instead.
  const busPort = extraArgs.includes('--cluster-enabled') ? await freePort() : undefined;
  let child: ChildProcess | undefined;
  let log = '';
  let sentinelConfigWritten = false;
  const launch = async (): Promise<void> => {
    log = '';
    let args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      ...(busPort !== undefined ? ['--cluster-port', String(busPort)] : []),
      ...extraArgs,
    ];
    if (options.tls !== undefined) {
      const { certFile, keyFile, caFile } = options.tls;
      args = [
        ...args,
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        certFile,
        '--tls-key-file',
        keyFile,
        '--tls-ca-cert-file',
        caFile,
        '--tls-auth-clients',
        'no',
      ];
    }
    if (options.sentinelFor !== undefined) {
      // NB: a Sentinel rewrites its config file, so it gets its own in the temp dir.
      const config = join(dir, 'sentinel.conf');
      const {
        masterName,
        port: masterPort,
        quorum = 1,
        downAfterMs,
        failoverTimeoutMs,
        authPass,
      } = options.sentinelFor;
      const timing = [
        ...(authPass !== undefined ? [`sentinel auth-pass ${masterName} ${authPass}`] : []),
        ...(downAfterMs !== undefined ? [`sentinel down-after-milliseconds ${masterName} ${downAfterMs}`] : []),
        ...(failoverTimeoutMs !== undefined ? [`sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`] : []),
      ];
      // NB: only on the first start: a Sentinel restarted keeps what it rewrote into its file (the current master).
      if (!sentinelConfigWritten)
        await writeFile(
          config,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${quorum}`,
            ...timing,
            '',
          ].join('\n'),
        );
      sentinelConfigWritten = true;
      args = [config, '--sentinel', ...extraArgs];
    }
    const started = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started.stdout.setEncoding('utf8').on('data', (c: string) => (log += c));
    started.stderr.setEncoding('utf8').on('data', (c: string) => (log += c));
    child = started;
    const deadline = Date.now() + 15_000;
    while (!(await answersPing(port, options.tls !== undefined))) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}:\n${log}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer in time:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill,
    restart: launch,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Whether a Redis on `port` answers PING with PONG (and has loaded its data: a loading Redis answers -LOADING), or
 * asks for a password, which also means it is up.
 */
function answersPing(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write('PING\r\n'))
      : createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    let reply = '';
    socket.setTimeout(1000);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
