/**
 * How the values sit in Redis: a few small hashes per metric and scope, not keys per series. A custom metric's
 * values in one namespace and resource are the fields of `s:[namespace,group,resource,metric]:<bucket>` (field: the
 * object's name); the objects' labels are the fields of `l:[namespace,group,resource]:<bucket>`; an external
 * metric's series are the fields of `x:[namespace,metric]:<bucket>` (field: its labels). Each value starts with its
 * timestamp, so a TTL sweep can tell old fields from new without reading anything else.
 *
 * NB: a scope is split into 2^level buckets by a hash of the field, with about 32 to 64 fields a bucket, so every
 * hash stays under Redis's default `hash-max-listpack-entries` (128) and is stored as a listpack: about 30 bytes a
 * field instead of about 80 in a hash table (measured with redis-server 7.0, see docs/redis.md). The level follows
 * the scope's size in the writer's copy; a field written at a new level is deleted from the neighbouring levels in
 * the same transaction, and a load keeps the newest of any copies left behind.
 * @module
 */
import type { Labels } from '../../api/types.js';

export type HashKind = 'custom' | 'object' | 'external';

const kindLetter: Record<HashKind, string> = { custom: 's', object: 'l', external: 'x' };

/** Fields a bucket holds at most on average before its scope splits once more. */
const fieldsPerBucket = 64;
const maxLevel = 16;

/**
 * One stream and the hashes its writes go to. On one Redis there is one partition and keys carry no hash tag; in a
 * Redis Cluster each partition's keys share a hash tag, so one partition (a transaction, its stream entry, and a
 * replica's reload of it) stays in one slot, and partitions spread across the shards.
 */
export interface Partition {
  readonly index: number;
  /** What every key of this partition starts with: the prefix, then `{tag}` in a cluster. */
  readonly keyPrefix: string;
  /** The stream every batch of writes to this partition is appended to. */
  readonly stream: string;
  /** The cluster hash slot of every key of this partition (0 on one Redis). */
  readonly slot: number;
}

export interface RedisKeys {
  readonly prefix: string;
  readonly partitions: readonly Partition[];
  /** The partition a metric's values live in: all of one metric's series sit together. */
  partitionOf(metric: string): number;
  /** PUBLISH channel announcing that a partition's stream has new entries (cluster only; the message is its index). */
  readonly channel: string;
  /** SCAN pattern of every key of this installation, in every partition. */
  readonly pattern: string;
  /** The hash holding `field` of `scope` at `level`, in `partition`. */
  bucket(kind: HashKind, scope: string, field: string, level: number, partition?: number): string;
  /** What a scanned key holds: a bucket of the compact layout, a key of the layout before it, or neither. */
  parse(
    key: string,
  ):
    | { readonly kind: HashKind; readonly scope: string; readonly partition: number }
    | { readonly kind: 'legacy'; readonly legacy: 'custom' | 'object' | 'external' }
    | undefined;
}

/**
 * Partitions in a cluster: enough to spread over a few shards evenly, few enough that a replica polls them all cheaply.
 */
export const clusterPartitions = 16;

/**
 * The keys of an installation. `slotOf` (the cluster's key-to-slot function) makes a cluster layout of
 * {@link clusterPartitions} partitions; without it, the one-Redis layout.
 */
export function createKeys(prefix: string, slotOf?: (key: string) => number): RedisKeys {
  const letterKind = new Map<string, HashKind>(
    Object.entries(kindLetter).map(([kind, letter]) => [letter, kind as HashKind]),
  );
  const legacyKind = new Map([
    ['c', 'custom'],
    ['o', 'object'],
    ['e', 'external'],
  ] as const);
  const tags = slotOf === undefined ? [] : spreadTags(clusterPartitions, slotOf);
  const partitions: Partition[] =
    slotOf === undefined
      ? [{ index: 0, keyPrefix: prefix, stream: `${prefix}writes`, slot: 0 }]
      : tags.map((tag, index) => ({
          index,
          keyPrefix: `${prefix}{${tag}}`,
          stream: `${prefix}{${tag}}writes`,
          slot: slotOf(tag),
        }));
  const tagIndex = new Map(tags.map((tag, index) => [tag, index]));
  const count = partitions.length;
  return {
    prefix,
    partitions,
    partitionOf: (metric) => (count === 1 ? 0 : fnv1a(metric) % count),
    channel: `${prefix}changes`,
    pattern: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
    bucket: (kind, scope, field, level, partition = 0) =>
      `${partitions[partition]!.keyPrefix}${kindLetter[kind]}:${scope}:${bucketOf(field, level)}`,
    parse(key) {
      if (!key.startsWith(prefix)) return undefined;
      let start = prefix.length;
      let partition = 0;
      if (key.charCodeAt(start) === 123 /* { */) {
        const close = key.indexOf('}', start);
        const index = close < 0 ? undefined : tagIndex.get(key.slice(start + 1, close));
        if (index === undefined) return undefined;
        partition = index;
        start = close + 1;
      } else if (count > 1) {
        return undefined;
      }
      if (key.charCodeAt(start + 1) !== 58 /* : */) return undefined;
      const letter = key.charAt(start);
      const kind = letterKind.get(letter);
      if (kind !== undefined) {
        const end = key.lastIndexOf(':');
        return end > start + 2 ? { kind, scope: key.slice(start + 2, end), partition } : undefined;
      }
      const legacy = count > 1 ? undefined : legacyKind.get(letter as 'c' | 'o' | 'e');
      return legacy === undefined ? undefined : { kind: 'legacy', legacy };
    },
  };
}

/**
 * One hash tag per partition, the first of `<i>.<n>` (n = 0, 1, ...) whose slot falls in the i-th of `count` equal
 * slot ranges. NB: a cluster hands out slots in contiguous ranges (`redis-cli --cluster create` splits 0-16383 evenly),
 * so tags spread this way land on every shard evenly, where tags taken at random could leave a shard empty.
 */
function spreadTags(count: number, slotOf: (key: string) => number): string[] {
  const slots = 16384;
  return Array.from({ length: count }, (_, i) => {
    const low = Math.floor((i * slots) / count);
    const high = Math.floor(((i + 1) * slots) / count);
    for (let n = 0; ; n++) {
      const tag = `${i}.${n}`;
      const slot = slotOf(tag);
      if (slot >= low && slot < high) return tag;
    }
  });
}

export const customScope = (namespace: string, group: string, resource: string, metric: string): string =>
  JSON.stringify([namespace, group, resource, metric]);
export const objectScope = (namespace: string, group: string, resource: string): string =>
  JSON.stringify([namespace, group, resource]);
export const externalScope = (namespace: string | null, metric: string): string => JSON.stringify([namespace, metric]);

/** The level of a scope with `size` fields: 0 (one bucket) up to 64 fields, one more per doubling. */
export function levelFor(size: number): number {
  if (size <= fieldsPerBucket) return 0;
  return Math.min(maxLevel, Math.ceil(Math.log2(size / fieldsPerBucket)));
}

/** Hand-written FNV-1a: runs once per write, so a hash library's setup would cost more than the hash. */
export function bucketOf(field: string, level: number): number {
  return level === 0 ? 0 : fnv1a(field) & ((1 << level) - 1);
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The levels whose bucket for `field` differs from its bucket at `level`: where an earlier copy may sit. */
export function neighbourLevels(field: string, level: number): number[] {
  const here = bucketOf(field, level);
  const out: number[] = [];
  for (const other of [level - 1, level + 1])
    if (other >= 0 && other <= maxLevel && bucketOf(field, other) !== here) out.push(other);
  return out;
}

const unit = '\x1f';

/**
 * Labels as `k\x1fv\x1fk\x1fv`, sorted by key (so equal sets pack equally), or JSON when a key or value holds the
 * separator or the first key starts with `{`; the JSON form starts with `{`, so the two never mix up.
 */
export function packLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let out = '';
  let plain = keys.length === 0 || keys[0]!.charCodeAt(0) !== 123; /* { */
  for (let i = 0; i < keys.length && plain; i++) {
    const key = keys[i]!;
    const value = labels[key]!;
    if (key.includes(unit) || value.includes(unit)) plain = false;
    out += i === 0 ? `${key}${unit}${value}` : `${unit}${key}${unit}${value}`;
  }
  if (plain) return out;
  const sorted: Record<string, string> = {};
  for (const key of keys) sorted[key] = labels[key]!;
  return JSON.stringify(sorted);
}

export function unpackLabels(text: string): Labels {
  if (text === '') return {};
  if (text.charCodeAt(0) === 123) return checkLabels(JSON.parse(text));
  const parts = text.split(unit);
  if (parts.length % 2 !== 0) throw new Error('a packed label set has a key without a value');
  const labels: Record<string, string> = {};
  for (let i = 0; i < parts.length; i += 2) labels[parts[i]!] = parts[i + 1]!;
  return labels;
}

function checkLabels(value: unknown): Labels {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('labels must be an object');
  for (const v of Object.values(value)) if (typeof v !== 'string') throw new Error('label values must be strings');
  return value as Labels;
}

/** A value field: `<timestamp in base 36>\x1f<rest>`; base 36 because Lua's `tonumber(s, 36)` reads it in the sweep. */
export function packValue(timestamp: number, rest: string): string {
  return `${Math.floor(timestamp).toString(36)}${unit}${rest}`;
}

export function unpackValue(text: string): { readonly timestamp: number; readonly rest: string } {
  const at = text.indexOf(unit);
  const timestamp = at < 0 ? Number.NaN : parseInt(text.slice(0, at), 36);
  if (!Number.isFinite(timestamp)) throw new Error('a stored value has no timestamp');
  return { timestamp, rest: text.slice(at + 1) };
}

/** A custom value's rest: the quantity, then the metric's labels if it has any. */
export function packCustomRest(quantity: string, metricLabels: Labels): string {
  const labels = packLabels(metricLabels);
  return labels === '' ? quantity : `${quantity}${unit}${labels}`;
}

export function unpackCustomRest(rest: string): { readonly quantity: string; readonly metricLabels: Labels } {
  const at = rest.indexOf(unit);
  return at < 0
    ? { quantity: rest, metricLabels: {} }
    : { quantity: rest.slice(0, at), metricLabels: unpackLabels(rest.slice(at + 1)) };
}

/** Parses a scope the layout wrote; throws on anything else. */
export function parseScope(kind: HashKind, scope: string): readonly (string | null)[] {
  const parts: unknown = JSON.parse(scope);
  const length = kind === 'custom' ? 4 : kind === 'object' ? 3 : 2;
  if (!Array.isArray(parts) || parts.length !== length) throw new Error(`not a ${kind} scope`);
  parts.forEach((part: unknown, i) => {
    if (typeof part !== 'string' && !(kind === 'external' && i === 0 && part === null))
      throw new Error(`not a ${kind} scope`);
  });
  return parts as (string | null)[];
}
