/**
 * The Redis back end's settings (the `redis` section of the config file, or its flags) and how they become ioredis
 * connection options: `redis://` or `rediss://`, a password from the URL, a file or an environment variable,
 * Sentinel discovery of the master, or the seed nodes of a Redis Cluster.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import type { BackendFlag } from '../backend-flag.js';
import { durationString } from '../../duration/index.js';

const redisUrl = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { message: 'must be a URL such as redis://host:6379 or rediss://host:6380/0' },
);

/** A whole number, from the config file or from a flag's text. */
const count = z.union([
  z.number().int().min(0),
  z.string().regex(/^\d+$/, { message: 'must be a whole number' }).transform(Number),
]);

const hostPort = z.string().regex(/^[^\s:,]+:\d{1,5}$/, { message: 'must be host:port' });

export const configSchema = z
  .object({
    /**
     * `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS. With `sentinel`, only the credentials, db and
     * scheme are used.
     */
    url: redisUrl.optional(),
    /** A file holding the password (a mounted Secret); wins over the URL's password. */
    passwordFile: z.string().min(1).optional(),
    /** The name of an environment variable holding the password. */
    passwordEnv: z.string().min(1).optional(),
    /** PEM file of the CA that signed the server's certificate (`rediss://`); default: the system's CAs. */
    caFile: z.string().min(1).optional(),
    sentinel: z
      .object({
        masterName: z.string().min(1),
        /** `host:port` of each Sentinel, as a list or one comma-separated string (what the flag gives). */
        sentinels: z.union([
          z.array(hostPort).min(1),
          z
            .string()
            .transform((text) =>
              text
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== ''),
            )
            .pipe(z.array(hostPort).min(1)),
        ]),
        /** Password of the Sentinels themselves, if they have one. */
        passwordFile: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * `host:port` of some nodes of a Redis Cluster (the rest are discovered), as a list or one comma-separated string.
     * With it, `url` gives only the credentials and the scheme (`rediss://` for TLS).
     */
    cluster: z
      .union([
        z.array(hostPort).min(1),
        z
          .string()
          .transform((text) =>
            text
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s !== ''),
          )
          .pipe(z.array(hostPort).min(1)),
      ])
      .optional(),
    /** Prefix of every key this adapter writes, so several installations can share one Redis. */
    keyPrefix: z.string().min(1).default('metrics-adapter:'),
    /** Drop values not written for this long, in Redis (key expiry) and in each replica's copy. */
    metricTTL: durationString.optional(),
    /** How old the local copy may get while Redis is unreachable before reads answer 503 and /readyz fails. */
    maxStaleness: durationString.default('60s'),
    /**
     * How long the write stream keeps a batch of writes (approximately, trimmed by Redis time): a replica cut off from
     * Redis for longer reloads from the hashes instead of catching up. The stream costs its write rate times this.
     */
    streamRetention: durationString.default('10s'),
    /** Entries (batches of writes) the write stream keeps at most, whatever `streamRetention` says. */
    streamMaxLength: z.number().int().min(1000).default(100_000),
    /**
     * Answer a write 200 only once this many Redis replicas have it (Redis `WAIT`), else 503 so the writer retries;
     * 0 answers as soon as the master has it. See docs/redis.md for the trade-off.
     */
    minReplicasToAck: count.default(0),
    /** How long a write waits for `minReplicasToAck` replicas before it answers 503. */
    replicaAckTimeout: durationString.default('1s'),
  })
  .strict()
  .refine((config) => config.url !== undefined || config.sentinel !== undefined || config.cluster !== undefined, {
    message: 'a Redis URL, a sentinel section or cluster nodes are required',
    path: ['url'],
  })
  .refine((config) => config.sentinel === undefined || config.cluster === undefined, {
    message: 'sentinel and cluster exclude each other: a Redis Cluster fails over by itself',
    path: ['cluster'],
  })
  // NB: the cluster layout puts its own {hash tag} after the prefix; a brace in the prefix would move every key to one
  // slot.
  .refine((config) => config.cluster === undefined || !/[{}]/.test(config.keyPrefix), {
    message: 'must not contain { or } with a Redis Cluster',
    path: ['keyPrefix'],
  })
  .refine(
    (config) =>
      config.cluster === undefined || config.url === undefined || /^\/?0?$/.test(new URL(config.url).pathname),
    { message: 'a Redis Cluster has only database 0', path: ['url'] },
  );

export type RedisBackendConfig = z.infer<typeof configSchema>;

export const flags: readonly BackendFlag[] = [
  { name: 'redis-url', value: '<url>', description: 'redis://host:6379 or rediss://host:6380', configKey: 'url' },
  {
    name: 'redis-password-file',
    value: '<file>',
    description: 'file holding the Redis password',
    configKey: 'passwordFile',
  },
  {
    name: 'redis-password-env',
    value: '<name>',
    description: 'environment variable holding the Redis password',
    configKey: 'passwordEnv',
  },
  {
    name: 'redis-sentinels',
    value: '<host:port,...>',
    description: 'find the master through these Sentinels',
    configKey: 'sentinel.sentinels',
  },
  {
    name: 'redis-sentinel-master',
    value: '<name>',
    description: 'the master name the Sentinels know',
    configKey: 'sentinel.masterName',
  },
  {
    name: 'redis-sentinel-password-file',
    value: '<file>',
    description: "file holding the Sentinels' own password",
    configKey: 'sentinel.passwordFile',
  },
  {
    name: 'redis-cluster',
    value: '<host:port,...>',
    description: 'use the Redis Cluster these nodes belong to',
    configKey: 'cluster',
  },
  {
    name: 'redis-min-replicas-to-ack',
    value: '<n>',
    description: 'answer a write only once this many Redis replicas have it (WAIT; default 0)',
    configKey: 'minReplicasToAck',
  },
  {
    name: 'redis-replica-ack-timeout',
    value: '<duration>',
    description: 'how long a write waits for --redis-min-replicas-to-ack replicas before it answers 503 (default 1s)',
    configKey: 'replicaAckTimeout',
  },
  {
    name: 'redis-ca-file',
    value: '<file>',
    description: 'PEM of the CA that signed the Redis certificate (rediss://)',
    configKey: 'caFile',
  },
  {
    name: 'max-staleness',
    value: '<duration>',
    description: 'serve reads from the local copy this long while Redis is unreachable (default 60s)',
    configKey: 'maxStaleness',
  },
];

/** The ioredis options shared by both connections, with the password and CA read from their files. */
export interface ConnectionSettings {
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly db?: number;
  readonly tls?: { readonly ca?: string; readonly servername?: string };
  readonly sentinels?: { host: string; port: number }[];
  readonly name?: string;
  readonly sentinelPassword?: string;
  readonly enableTLSForSentinelMode?: boolean;
  /** Seed nodes of a Redis Cluster. */
  readonly cluster?: { host: string; port: number }[];
}

export async function connectionSettings(
  config: RedisBackendConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConnectionSettings> {
  const url = config.url === undefined ? undefined : new URL(config.url);
  let password = url?.password === '' || url === undefined ? undefined : decodeURIComponent(url.password);
  if (config.passwordEnv !== undefined) {
    const value = env[config.passwordEnv];
    if (value === undefined)
      throw new Error(`the environment variable ${config.passwordEnv} (the Redis password) is not set`);
    password = value;
  }
  if (config.passwordFile !== undefined) password = await readSecret(config.passwordFile, 'Redis password');
  const username = url?.username === '' || url === undefined ? undefined : decodeURIComponent(url.username);
  const dbText = url?.pathname.replace(/^\//, '') ?? '';
  if (dbText !== '' && !/^\d+$/.test(dbText))
    throw new Error(`the Redis URL's path must be a database number, not ${JSON.stringify(dbText)}`);
  const useTls = url?.protocol === 'rediss:';
  const ca = config.caFile === undefined ? undefined : await readSecret(config.caFile, 'Redis CA', false);
  const settings: ConnectionSettings = {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(dbText !== '' ? { db: Number(dbText) } : {}),
    ...(useTls || ca !== undefined
      ? {
          tls: {
            ...(ca !== undefined ? { ca } : {}),
            ...(url !== undefined &&
            config.sentinel === undefined &&
            config.cluster === undefined &&
            isIP(url.hostname) === 0
              ? { servername: url.hostname }
              : {}),
          },
        }
      : {}),
  };
  if (config.cluster !== undefined) {
    return { ...settings, cluster: config.cluster.map(parseHostPort) };
  }
  if (config.sentinel === undefined) {
    return {
      ...settings,
      host: url!.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url!.port === '' ? 6379 : Number(url!.port),
    };
  }
  const sentinelPassword =
    config.sentinel.passwordFile === undefined
      ? undefined
      : await readSecret(config.sentinel.passwordFile, 'Sentinel password');
  return {
    ...settings,
    name: config.sentinel.masterName,
    sentinels: config.sentinel.sentinels.map(parseHostPort),
    ...(sentinelPassword !== undefined ? { sentinelPassword } : {}),
    ...(useTls ? { enableTLSForSentinelMode: true } : {}),
  };
}

function parseHostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
}

async function readSecret(file: string, what: string, trim = true): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the ${what} file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  // NB: a Secret mounted as a file, or `echo secret > file`, ends with a newline that is not part of the password.
  return trim ? text.replace(/\r?\n$/, '') : text;
}
