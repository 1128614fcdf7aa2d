/**
 * The write stream's removal entries (field `r`, a JSON array of the series removed), written by
 * `redis-removals.ts` and applied by every replica's stream reader, in the stream's order among the writes.
 * @module
 */
import type { Labels } from '../../api/types.js';
import type { MemoryModel } from '../memory/memory-model.js';
import type { SeriesRemoval } from '../write.js';

/** The stream entry field of a batch of removals (`b` holds writes, see records.ts). */
export const removalField = 'r';

type CustomRemoval = ['c', string, string, string, string, string];
type ExternalRemoval = ['e', string | null, string, Labels];

/**
 * Applies a stream entry of removals to `model`; false when the entry is not one (it holds writes). The readers of
 * the stream call it before decoding writes.
 */
export function applyRemovalEntry(model: MemoryModel, fields: readonly string[]): boolean {
  if (fields[0] !== removalField) return false;
  model.removeSeries(decodeRemovals(fields[1] ?? ''));
  return true;
}

export function encodeRemovals(removals: readonly SeriesRemoval[]): string {
  const records: (CustomRemoval | ExternalRemoval)[] = removals.map((removal) =>
    removal.kind === 'custom'
      ? [
          'c',
          removal.name.namespace,
          removal.info.groupResource.group,
          removal.info.groupResource.resource,
          removal.info.metric,
          removal.name.name,
        ]
      : ['e', removal.namespace, removal.metric, removal.labels],
  );
  return JSON.stringify(records);
}

/** Throws on an entry this version cannot read (the reader logs and skips it, as it does a write). */
export function decodeRemovals(text: string): SeriesRemoval[] {
  const records: unknown = JSON.parse(text);
  if (!Array.isArray(records)) throw new Error('a stream removal batch must be an array');
  return records.map((record: unknown): SeriesRemoval => {
    if (Array.isArray(record) && record[0] === 'c' && record.length === 6 && record.slice(1).every(isString)) {
      const [, namespace, group, resource, metric, name] = record as CustomRemoval;
      return {
        kind: 'custom',
        info: { groupResource: { group, resource }, namespaced: namespace !== '', metric },
        name: { namespace, name },
      };
    }
    if (
      Array.isArray(record) &&
      record[0] === 'e' &&
      record.length === 4 &&
      (record[1] === null || isString(record[1])) &&
      isString(record[2]) &&
      isLabels(record[3])
    ) {
      const [, namespace, metric, labels] = record as ExternalRemoval;
      return { kind: 'external', namespace, metric, labels };
    }
    throw new Error('a stream removal of an unknown kind');
  });
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isLabels(value: unknown): value is Labels {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isString);
}
