/**
 * Reads every value of the compact layout back as writes, for a replica's (re)sync: SCAN the installation's keys,
 * HGETALL each bucket (pipelined), keep the newest copy of each field, and attach each object's labels to its series.
 * Keys of the layout before (one string key per series) are read too and moved into the compact layout, so an
 * upgrade keeps the stored values.
 * @module
 */
import type { Redis } from 'ioredis';
import type { Labels } from '../../api/types.js';
import type { Logger } from '../../log/index.js';
import { parseQuantity } from '../../quantity/index.js';
import type { CustomMetricWrite } from '../write.js';
import type { MemoryModel } from '../memory/memory-model.js';
import { decodeLegacyLabels, decodeLegacyRecord, legacyObjectKey } from './legacy.js';
import {
  levelFor,
  objectScope,
  packCustomRest,
  packLabels,
  packValue,
  parseScope,
  unpackCustomRest,
  unpackLabels,
  unpackValue,
  customScope,
  externalScope,
  type HashKind,
  type RedisKeys,
} from './layout.js';
import type { DecodedWrite } from './records.js';

/** Keys per pipelined HGETALL or MGET round trip. */
const keysPerRound = 200;

export interface ScannedKeys {
  readonly buckets: Map<HashKind, string[]>;
  readonly legacy: Map<'custom' | 'object' | 'external', string[]>;
}

/** Every key of the installation on `client` (one node), or only those matching `pattern`. */
export async function scanKeys(client: Redis, keys: RedisKeys, pattern = keys.pattern): Promise<ScannedKeys> {
  const buckets = new Map<HashKind, string[]>([
    ['custom', []],
    ['object', []],
    ['external', []],
  ]);
  const legacy = new Map<'custom' | 'object' | 'external', string[]>([
    ['custom', []],
    ['object', []],
    ['external', []],
  ]);
  let cursor = '0';
  do {
    const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const parsed = keys.parse(key);
      if (parsed === undefined) continue;
      if (parsed.kind === 'legacy') legacy.get(parsed.legacy)!.push(key);
      else buckets.get(parsed.kind)!.push(key);
    }
  } while (cursor !== '0');
  return { buckets, legacy };
}

/** Calls `use` with every field of every bucket in `all`; a bucket gone since the SCAN has none. */
export async function eachField(
  client: Redis,
  all: readonly string[],
  use: (key: string, field: string, value: string) => void,
): Promise<void> {
  for (let i = 0; i < all.length; i += keysPerRound) {
    const batch = all.slice(i, i + keysPerRound);
    const pipeline = client.pipeline();
    for (const key of batch) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    replies.forEach(([error, fields], j) => {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) use(batch[j]!, field, value);
    });
  }
}

interface Newest<T> {
  timestamp: number;
  readonly value: T;
}

function keepNewest<T>(map: Map<string, Newest<T>>, id: string, timestamp: number, value: T): void {
  const held = map.get(id);
  if (held === undefined || held.timestamp < timestamp) map.set(id, { timestamp, value });
}

export interface LoadOptions {
  readonly logger: Logger;
  /** Fields older than this epoch ms are left out (the TTL sweep deletes them). */
  readonly oldestMs: number;
  /** SCAN pattern narrower than the installation's (one partition's keys). */
  readonly pattern?: string;
}

/**
 * Loads every stored value on `client` into the model of its partition, `into(partition)`, leaving out partitions it
 * gives no model for; returns how many series it loaded and how many old-layout keys were moved. In a cluster,
 * `client` is one master: each master holds the partitions of its slots.
 */
export async function loadInto(
  client: Redis,
  keys: RedisKeys,
  into: MemoryModel | ((partition: number) => MemoryModel | undefined),
  options: LoadOptions,
): Promise<{ series: number; migrated: number }> {
  const { logger, oldestMs } = options;
  const modelOf = typeof into === 'function' ? into : () => into;
  const scanned = await scanKeys(client, keys, options.pattern);
  for (const [kind, list] of scanned.buckets) {
    scanned.buckets.set(
      kind,
      list.filter((key) => modelOf((keys.parse(key) as { partition: number }).partition) !== undefined),
    );
  }
  const skip = (key: string, error: unknown): void =>
    logger.warn({ key, err: error }, 'skipped a redis value this version cannot read');
  const objects = new Map<string, Newest<Labels>>();
  const series = new Map<string, Newest<DecodedWrite>>();
  const scopeOf = (key: string): string => (keys.parse(key) as { scope: string }).scope;

  await eachField(client, scanned.buckets.get('object')!, (key, name, text) => {
    try {
      const { timestamp, rest } = unpackValue(text);
      keepNewest(objects, `${scopeOf(key)}\0${name}`, timestamp, unpackLabels(rest));
    } catch (error) {
      skip(key, error);
    }
  });
  await eachField(client, scanned.buckets.get('custom')!, (key, name, text) => {
    try {
      const scope = scopeOf(key);
      const [namespace, group, resource, metric] = parseScope('custom', scope) as string[];
      const { timestamp, rest } = unpackValue(text);
      if (timestamp < oldestMs) return;
      const { quantity, metricLabels } = unpackCustomRest(rest);
      const write: CustomMetricWrite = {
        info: { groupResource: { group: group!, resource: resource! }, namespaced: namespace !== '', metric: metric! },
        name: { namespace: namespace!, name },
        value: parseQuantity(quantity),
        metricLabels,
        objectLabels: objects.get(`${objectScope(namespace!, group!, resource!)}\0${name}`)?.value,
        timestamp,
      };
      keepNewest(series, `${scope}\0${name}`, timestamp, { kind: 'custom', write });
    } catch (error) {
      skip(key, error);
    }
  });
  await eachField(client, scanned.buckets.get('external')!, (key, field, text) => {
    try {
      const scope = scopeOf(key);
      const [namespace, metric] = parseScope('external', scope);
      const { timestamp, rest } = unpackValue(text);
      if (timestamp < oldestMs) return;
      const write = {
        namespace: namespace ?? null,
        metric: metric!,
        labels: unpackLabels(field),
        value: parseQuantity(rest),
        timestamp,
      };
      keepNewest(series, `${scope}\0${field}`, timestamp, { kind: 'external', write });
    } catch (error) {
      skip(key, error);
    }
  });

  const legacy = await readLegacy(client, keys, scanned, skip);
  const moved: DecodedWrite[] = [];
  for (const decoded of legacy) {
    const id =
      decoded.kind === 'custom'
        ? `${customScope(decoded.write.name.namespace, decoded.write.info.groupResource.group, decoded.write.info.groupResource.resource, decoded.write.info.metric)}\0${decoded.write.name.name}`
        : `${externalScope(decoded.write.namespace, decoded.write.metric)}\0${packLabels(decoded.write.labels)}`;
    if (series.has(id) || decoded.write.timestamp < oldestMs) continue;
    series.set(id, { timestamp: decoded.write.timestamp, value: decoded });
    moved.push(decoded);
  }

  for (const { value } of series.values()) {
    const model = modelOf(keys.partitionOf(value.kind === 'custom' ? value.write.info.metric : value.write.metric));
    if (model === undefined) continue;
    if (value.kind === 'custom') model.writeCustom(value.write);
    else model.writeExternal(value.write);
  }
  const legacyKeys = [...scanned.legacy.values()].flat();
  const model = modelOf(0);
  if (legacyKeys.length > 0 && model !== undefined) await migrate(client, keys, model, moved, legacyKeys);
  return { series: series.size, migrated: legacyKeys.length };
}

async function readLegacy(
  client: Redis,
  keys: RedisKeys,
  scanned: ScannedKeys,
  skip: (key: string, error: unknown) => void,
): Promise<DecodedWrite[]> {
  const strings = async (all: readonly string[], use: (key: string, json: string) => void): Promise<void> => {
    for (let i = 0; i < all.length; i += keysPerRound) {
      const batch = all.slice(i, i + keysPerRound);
      const values = await client.mget(...batch);
      values.forEach((json, j) => {
        if (json === null) return;
        try {
          use(batch[j]!, json);
        } catch (error) {
          skip(batch[j]!, error);
        }
      });
    }
  };
  const labels = new Map<string, Labels>();
  await strings(scanned.legacy.get('object')!, (key, json) => labels.set(key, decodeLegacyLabels(json)));
  const out: DecodedWrite[] = [];
  await strings([...scanned.legacy.get('custom')!, ...scanned.legacy.get('external')!], (_key, json) => {
    const decoded = decodeLegacyRecord(json);
    if (decoded.kind === 'custom')
      out.push({
        kind: 'custom',
        write: { ...decoded.write, objectLabels: labels.get(legacyObjectKey(keys.prefix, decoded.write)) },
      });
    else out.push(decoded);
  });
  return out;
}

/**
 * Writes the old layout's values that the compact layout lacks (HSETNX: a value written meanwhile wins), then deletes
 * the old keys. Idempotent, so replicas that start together may all run it.
 */
async function migrate(
  client: Redis,
  keys: RedisKeys,
  model: MemoryModel,
  moved: readonly DecodedWrite[],
  legacyKeys: readonly string[],
): Promise<void> {
  for (let i = 0; i < moved.length; i += keysPerRound) {
    const tx = client.multi();
    for (const { kind, write } of moved.slice(i, i + keysPerRound)) {
      if (kind === 'external') {
        const level = levelFor(model.external.seriesIn(write.namespace, write.metric));
        const field = packLabels(write.labels);
        tx.hsetnx(
          keys.bucket('external', externalScope(write.namespace, write.metric), field, level),
          field,
          packValue(write.timestamp, write.value.toString()),
        );
        continue;
      }
      const { info, name } = write;
      const { group, resource } = info.groupResource;
      const sizes = model.custom.scopeSizes(name.namespace, info.groupResource, info.metric);
      tx.hsetnx(
        keys.bucket(
          'custom',
          customScope(name.namespace, group, resource, info.metric),
          name.name,
          levelFor(sizes.series),
        ),
        name.name,
        packValue(write.timestamp, packCustomRest(write.value.toString(), write.metricLabels)),
      );
      if (write.objectLabels !== undefined) {
        tx.hsetnx(
          keys.bucket('object', objectScope(name.namespace, group, resource), name.name, levelFor(sizes.objects)),
          name.name,
          packValue(write.timestamp, packLabels(write.objectLabels)),
        );
      }
    }
    await tx.exec();
  }
  for (let i = 0; i < legacyKeys.length; i += keysPerRound) await client.del(...legacyKeys.slice(i, i + keysPerRound));
}
