/**
 * How writes are laid out in Redis: one key per series (the value and its labels, with the metric TTL as key
 * expiry), one key per described object (its labels, shared by that object's metrics, as in the memory store), and
 * one stream entry per write that replicas apply in order. Keys end in a JSON array of the series' identity, which is
 * unambiguous whatever the names and labels hold.
 * @module
 */
import { z } from 'zod';
import type { Labels } from '../../api/types.js';
import { parseQuantity } from '../../quantity/index.js';
import { labelSetKey } from '../../selector/index.js';
import type { CustomMetricWrite, ExternalMetricWrite } from '../backend.js';

export interface RedisKeys {
  readonly prefix: string;
  /** The stream every write is appended to. */
  readonly stream: string;
  /** SCAN pattern of every key of this installation. */
  readonly pattern: string;
  customSeries(write: CustomMetricWrite): string;
  object(write: CustomMetricWrite): string;
  externalSeries(write: ExternalMetricWrite): string;
  /** What kind of key `key` is, for a resync that scanned them. */
  kindOf(key: string): 'custom' | 'object' | 'external' | undefined;
}

export function createKeys(prefix: string): RedisKeys {
  const custom = `${prefix}c:`;
  const object = `${prefix}o:`;
  const external = `${prefix}e:`;
  return {
    prefix,
    stream: `${prefix}writes`,
    pattern: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
    customSeries: (w) => custom + JSON.stringify([w.name.namespace, w.info.groupResource.group, w.info.groupResource.resource, w.info.metric, w.name.name]),
    object: (w) => object + JSON.stringify([w.name.namespace, w.info.groupResource.group, w.info.groupResource.resource, w.name.name]),
    externalSeries: (w) => external + JSON.stringify([w.namespace, w.metric, labelSetKey(w.labels)]),
    kindOf(key) {
      if (key.startsWith(custom)) return 'custom';
      if (key.startsWith(object)) return 'object';
      if (key.startsWith(external)) return 'external';
      return undefined;
    },
  };
}

const labelsSchema = z.record(z.string(), z.string());

const customRecord = z.object({
  k: z.literal('c'),
  ns: z.string(),
  g: z.string(),
  r: z.string(),
  m: z.string(),
  n: z.string(),
  v: z.string(),
  ml: labelsSchema,
  ol: labelsSchema.optional(),
  t: z.number(),
});

const externalRecord = z.object({
  k: z.literal('e'),
  ns: z.string().nullable(),
  m: z.string(),
  l: labelsSchema,
  v: z.string(),
  t: z.number(),
});

const record = z.discriminatedUnion('k', [customRecord, externalRecord]);

/** The JSON of a custom write; `withObjectLabels` for the stream entry, without for the series key (labels live in the object key). */
export function encodeCustom(write: CustomMetricWrite, withObjectLabels: boolean): string {
  const { info, name } = write;
  return JSON.stringify({
    k: 'c',
    ns: name.namespace,
    g: info.groupResource.group,
    r: info.groupResource.resource,
    m: info.metric,
    n: name.name,
    v: write.value.toString(),
    ml: write.metricLabels,
    ...(withObjectLabels && write.objectLabels !== undefined ? { ol: write.objectLabels } : {}),
    t: write.timestamp,
  });
}

export function encodeExternal(write: ExternalMetricWrite): string {
  return JSON.stringify({ k: 'e', ns: write.namespace, m: write.metric, l: write.labels, v: write.value.toString(), t: write.timestamp });
}

export type DecodedWrite = { readonly kind: 'custom'; readonly write: CustomMetricWrite } | { readonly kind: 'external'; readonly write: ExternalMetricWrite };

/** A stored record back as the write it came from. Throws on a record this version cannot read. */
export function decodeRecord(json: string, objectLabels?: Labels): DecodedWrite {
  const data = record.parse(JSON.parse(json));
  if (data.k === 'e') {
    return { kind: 'external', write: { namespace: data.ns, metric: data.m, labels: data.l, value: parseQuantity(data.v), timestamp: data.t } };
  }
  return {
    kind: 'custom',
    write: {
      info: { groupResource: { group: data.g, resource: data.r }, namespaced: data.ns !== '', metric: data.m },
      name: { namespace: data.ns, name: data.n },
      value: parseQuantity(data.v),
      metricLabels: data.ml,
      objectLabels: data.ol ?? objectLabels,
      timestamp: data.t,
    },
  };
}

export function decodeLabels(json: string): Labels {
  return labelsSchema.parse(JSON.parse(json));
}

/** Orders two stream entry IDs (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = splitId(a);
  const [bMs, bSeq] = splitId(b);
  return aMs !== bMs ? Math.sign(aMs - bMs) : Math.sign(aSeq - bSeq);
}

function splitId(id: string): [number, number] {
  const dash = id.indexOf('-');
  return dash < 0 ? [Number(id), 0] : [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}
