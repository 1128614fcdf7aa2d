/**
 * The metric TTL inside the hashes. A bucket key expires by itself once none of its fields is written for the TTL
 * (PEXPIRE on every write), but a live bucket keeps the fields of series nobody writes any more (a deleted pod), and
 * Redis 7.0 has no per-field expiry. So each replica, every TTL or so, reads the buckets and deletes the fields older
 * than the TTL, and the labels of objects with no live series left. The deletion re-checks the timestamp in Redis (a
 * Lua script), so a value written meanwhile, by any replica, is never deleted.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { eachField, scanKeys } from './load.js';
import { objectScope, parseScope, unpackValue, type RedisKeys } from './layout.js';

/** KEYS[1]: a bucket; ARGV[1]: the cutoff (epoch ms); ARGV[2..]: fields to delete if still older than the cutoff. */
const deleteOlder = `
local cutoff = tonumber(ARGV[1])
local deleted = 0
for i = 2, #ARGV do
  local value = redis.call('HGET', KEYS[1], ARGV[i])
  if value then
    local ts = tonumber(string.match(value, '^[^\\31]*'), 36)
    if ts and ts < cutoff then deleted = deleted + redis.call('HDEL', KEYS[1], ARGV[i]) end
  end
end
return deleted
`;

/** Deletes what is older than `cutoffMs` from every bucket; returns how many fields went. */
export async function sweepOnce(client: Redis, keys: RedisKeys, cutoffMs: number): Promise<number> {
  const scanned = await scanKeys(client, keys);
  const expired = new Map<string, string[]>();
  const liveObjects = new Set<string>();
  const note = (key: string, field: string): void => {
    const list = expired.get(key);
    if (list === undefined) expired.set(key, [field]);
    else list.push(field);
  };
  const timestampOf = (text: string): number => {
    try {
      return unpackValue(text).timestamp;
    } catch {
      return Number.POSITIVE_INFINITY; // NB: not ours to delete.
    }
  };
  await eachField(client, scanned.buckets.get('custom')!, (key, name, text) => {
    if (timestampOf(text) < cutoffMs) return note(key, name);
    const parsed = keys.parse(key);
    if (parsed === undefined || parsed.kind === 'legacy') return;
    try {
      const [namespace, group, resource] = parseScope('custom', parsed.scope) as string[];
      liveObjects.add(`${objectScope(namespace!, group!, resource!)}\0${name}`);
    } catch {
      // not a scope this version wrote
    }
  });
  await eachField(client, scanned.buckets.get('external')!, (key, field, text) => {
    if (timestampOf(text) < cutoffMs) note(key, field);
  });
  await eachField(client, scanned.buckets.get('object')!, (key, name, text) => {
    const parsed = keys.parse(key);
    if (parsed === undefined || parsed.kind === 'legacy') return;
    if (timestampOf(text) < cutoffMs && !liveObjects.has(`${parsed.scope}\0${name}`)) note(key, name);
  });
  let deleted = 0;
  for (const [key, fields] of expired) {
    for (let i = 0; i < fields.length; i += 500)
      deleted += (await client.eval(deleteOlder, 1, key, cutoffMs, ...fields.slice(i, i + 500))) as number;
  }
  return deleted;
}

/** Sweeps every `everyMs` (with jitter, so replicas spread out) until stopped; in a cluster, every master in turn. */
export function startSweeper(
  client: Redis | Cluster,
  keys: RedisKeys,
  ttlMs: number,
  logger: Logger,
): { stop(): void } {
  const everyMs = Math.max(ttlMs, 10_000);
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(
      () => {
        const cutoff = Date.now() - ttlMs;
        const nodes = client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
        nodes
          .reduce<Promise<number>>(
            async (sum, node) => (await sum) + (await sweepOnce(node, keys, cutoff)),
            Promise.resolve(0),
          )
          .then((deleted) => {
            if (deleted > 0) logger.debug({ deleted }, 'deleted redis fields older than the metric TTL');
          })
          .catch((error: unknown) => logger.debug({ err: error }, 'the redis TTL sweep failed; retrying next round'))
          .finally(() => {
            if (timer !== undefined) schedule();
          });
      },
      everyMs * (0.75 + Math.random() / 2),
    );
    timer.unref();
  };
  schedule();
  return {
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
