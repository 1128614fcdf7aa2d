/**
 * The write stream's entries: one entry per batch of writes (field `b`, a JSON array of the batch's writes in the
 * order they were accepted), which every replica applies to its copy. JSON because labels may hold any character and
 * V8 parses it faster than anything hand-written; arrays rather than objects to keep each entry small.
 * @module
 */
import type { Labels } from '../../api/types.js';
import { parseQuantity } from '../../quantity/index.js';
import type { DecodedWrite } from './decoded-write.js';
import { decodeLegacyRecord } from './legacy.js';

export type { DecodedWrite };

/** The stream entry field of a batch; `w` is one write of the layout before. */
export const batchField = 'b';
const legacyField = 'w';

type CustomRecord = ['c', string, string, string, string, string, string, number, Labels, Labels | null];
type ExternalRecord = ['e', string | null, string, Labels, string, number];

export function encodeBatch(writes: readonly DecodedWrite[]): string {
  const records: (CustomRecord | ExternalRecord)[] = writes.map(({ kind, write }) => {
    if (kind === 'external')
      return ['e', write.namespace, write.metric, write.labels, write.value.toString(), write.timestamp];
    const { info, name } = write;
    return [
      'c',
      name.namespace,
      info.groupResource.group,
      info.groupResource.resource,
      info.metric,
      name.name,
      write.value.toString(),
      write.timestamp,
      write.metricLabels,
      write.objectLabels ?? null,
    ];
  });
  return JSON.stringify(records);
}

/**
 * The writes of one stream entry (its field/value list as XREAD returns it). Throws on an entry this version cannot
 * read.
 */
export function decodeEntry(fields: readonly string[]): DecodedWrite[] {
  const name = fields[0];
  const text = fields[1];
  if (text === undefined) throw new Error('a stream entry without a value');
  if (name === legacyField) return [decodeLegacyRecord(text)];
  if (name !== batchField) throw new Error(`a stream entry with the unknown field ${JSON.stringify(name)}`);
  const records: unknown = JSON.parse(text);
  if (!Array.isArray(records)) throw new Error('a stream batch must be an array');
  return records.map(decodeRecord);
}

function decodeRecord(record: unknown): DecodedWrite {
  if (!Array.isArray(record)) throw new Error('a stream record must be an array');
  if (record[0] === 'e' && record.length === 6) {
    const [, namespace, metric, labels, value, timestamp] = record as unknown[];
    return {
      kind: 'external',
      write: {
        namespace: namespace === null ? null : text(namespace),
        metric: text(metric),
        labels: labelsOf(labels),
        value: parseQuantity(text(value)),
        timestamp: number(timestamp),
      },
    };
  }
  if (record[0] === 'c' && record.length === 10) {
    const [, namespace, group, resource, metric, name, value, timestamp, metricLabels, objectLabels] =
      record as unknown[];
    const ns = text(namespace);
    return {
      kind: 'custom',
      write: {
        info: {
          groupResource: { group: text(group), resource: text(resource) },
          namespaced: ns !== '',
          metric: text(metric),
        },
        name: { namespace: ns, name: text(name) },
        value: parseQuantity(text(value)),
        metricLabels: labelsOf(metricLabels),
        objectLabels: objectLabels === null ? undefined : labelsOf(objectLabels),
        timestamp: number(timestamp),
      },
    };
  }
  throw new Error('a stream record of an unknown kind');
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error('a stream record field must be a string');
  return value;
}

function number(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error('a stream record timestamp must be a number');
  return value;
}

function labelsOf(value: unknown): Labels {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('stream record labels must be an object');
  for (const v of Object.values(value))
    if (typeof v !== 'string') throw new Error('stream record label values must be strings');
  return value as Labels;
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
