/**
 * Counter windows shared by the replicas behind one Service. A sender's samples of one series may land on any
 * replica, and a rate needs the samples before them: with a shared store (the Redis back end offers one), each
 * request loads the windows of the counters it touches, merges in its samples and saves them back, so whichever
 * replica takes the next sample rates it over every earlier one.
 * @module
 */
import { createHash } from 'node:crypto';
import type { MetricsWriter } from '../providers/write.js';
import type { CounterSnapshot } from './series-window.js';

/** Where the windows are kept; values are opaque strings. */
export interface SharedWindowStore {
  /** The stored value of each key, null where there is none. */
  load(keys: readonly string[]): Promise<readonly (string | null)[]>;
  /** Stores each value, forgotten after `ttlMs` without a save. */
  save(entries: readonly (readonly [key: string, value: string, ttlMs: number])[]): Promise<void>;
}

/**
 * The store a back end's writer offers for ingest windows (its `ingestWindows` property), if any. NB: a writer is a
 * back end's, and the contract in providers/write.ts stays unaware of push ingestion, so the store rides along as an
 * extra property the back end sets.
 */
export function sharedWindowsOf(writer: MetricsWriter): SharedWindowStore | undefined {
  const store = (writer as { ingestWindows?: SharedWindowStore }).ingestWindows;
  return store !== undefined && typeof store.load === 'function' && typeof store.save === 'function'
    ? store
    : undefined;
}

/** The key of one rule's window of one series: a digest, since a remote-write series key is binary label bytes. */
export function windowKey(seriesKey: string, ruleId: string): string {
  return createHash('sha1').update(ruleId).update('\u0000').update(seriesKey, 'latin1').digest('base64url');
}

export function encodeSnapshot(snapshot: CounterSnapshot): string {
  return JSON.stringify([snapshot.times, snapshot.values, snapshot.total]);
}

/** Undefined for anything that is not a snapshot (another version's, or a damaged value): it is then ignored. */
export function decodeSnapshot(text: string): CounterSnapshot | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.length !== 3) return undefined;
    const [times, values, total] = parsed as unknown[];
    if (!numbers(times) || !numbers(values) || times.length !== values.length || typeof total !== 'number')
      return undefined;
    return { times, values, total };
  } catch {
    return undefined;
  }
}

function numbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}
