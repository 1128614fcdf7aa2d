/**
 * A real Redis Cluster for tests: `masters` redis-server processes in cluster mode on free loopback ports (each with
 * `replicasPerMaster` replicas), joined by `redis-cli --cluster create`, with a short node timeout so a failure is
 * noticed in about two seconds. Each node is a {@link RedisServer}, so a test can kill -9 one and restart it.
 * @module
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface RedisCluster {
  /** Masters first, in the order of their slot ranges, then replicas. */
  readonly nodes: readonly RedisServer[];
  readonly masters: readonly RedisServer[];
  /** `127.0.0.1:port,...` of every node, as `--redis-cluster` takes it. */
  readonly seeds: string;
  stop(): Promise<void>;
}

/** redis-cli beside redis-server, or undefined so a test can skip. */
export async function findRedisCli(serverBinary: string): Promise<string | undefined> {
  const candidate = serverBinary.replace(/redis-server$/, 'redis-cli');
  return access(candidate).then(
    () => candidate,
    () => undefined,
  );
}

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /** More redis-server arguments for every node. */
  readonly args?: readonly string[];
}

export async function startRedisCluster(
  serverBinary: string,
  cliBinary: string,
  options: RedisClusterOptions = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 0;
  // NB: full coverage off, so a lost shard stops only its own slots (what an operator who wants partial service sets).
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    '2000',
    '--cluster-require-full-coverage',
    'no',
    ...(options.args ?? []),
  ];
  const nodes = await Promise.all(
    Array.from({ length: masters * (1 + replicas) }, () => startRedisServer(serverBinary, { args })),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    await run(
      cliBinary,
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    await waitForClusterOk(nodes);
    // NB: a replica is useful (WAIT counts it) only once it has synced from its master.
    const deadline = Date.now() + 30_000;
    while (replicas > 0) {
      const texts = await Promise.all(
        nodes.slice(0, masters).map((node) => command(node.port, 'INFO', 'replication').catch(() => '')),
      );
      if (texts.every((text) => (text.match(/^slave\d+:.*state=online/gm) ?? []).length >= replicas)) break;
      if (Date.now() > deadline) throw new Error(`the cluster replicas did not sync in time:\n${texts.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    masters: nodes.slice(0, masters),
    seeds: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
    stop,
  };
}

/** Resolves once every node in `nodes` says `cluster_state:ok`. */
export async function waitForClusterOk(nodes: readonly RedisServer[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(nodes.map((node) => command(node.port, 'CLUSTER', 'INFO').catch(() => '')));
    if (states.every((text) => text.includes('cluster_state:ok'))) return;
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not become ok in time:\n${states.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One command to the node on `port`, by a connection of its own. */
export async function command(port: number, ...args: string[]): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    return String(await client.call(args[0]!, ...args.slice(1)));
  } finally {
    client.disconnect();
  }
}
