/**
 * The layout before the compact one, read so an upgrade keeps the stored values: one string key per series
 * (`c:` custom, `e:` external, a JSON record) and per object (`o:`, its labels as JSON), and one stream entry per
 * write (field `w`). A load moves such keys into the compact layout (see `load.ts`).
 * @module
 */
import { z } from 'zod';
import type { Labels } from '../../api/types.js';
import { parseQuantity } from '../../quantity/index.js';
import type { CustomMetricWrite } from '../write.js';
import type { DecodedWrite } from './decoded-write.js';

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

/** A record of the old layout back as the write it came from. Throws on a record that is not one. */
export function decodeLegacyRecord(json: string, objectLabels?: Labels): DecodedWrite {
  const data = record.parse(JSON.parse(json));
  if (data.k === 'e') {
    return {
      kind: 'external',
      write: { namespace: data.ns, metric: data.m, labels: data.l, value: parseQuantity(data.v), timestamp: data.t },
    };
  }
  const write: CustomMetricWrite = {
    info: { groupResource: { group: data.g, resource: data.r }, namespaced: data.ns !== '', metric: data.m },
    name: { namespace: data.ns, name: data.n },
    value: parseQuantity(data.v),
    metricLabels: data.ml,
    objectLabels: data.ol ?? objectLabels,
    timestamp: data.t,
  };
  return { kind: 'custom', write };
}

export function decodeLegacyLabels(json: string): Labels {
  return labelsSchema.parse(JSON.parse(json));
}

/** The old object key of a custom write, to attach its labels to the series keys read with it. */
export function legacyObjectKey(prefix: string, write: CustomMetricWrite): string {
  return `${prefix}o:${JSON.stringify([write.name.namespace, write.info.groupResource.group, write.info.groupResource.resource, write.name.name])}`;
}
