/**
 * One partition's copy of what Redis holds: its read model, how far into the partition's write stream it has applied,
 * and whether it may answer. Two readers feed it, and both go through `apply`:
 * - the sync's stream reader (`replica-sync.ts`, `cluster-sync.ts`), the only one while this replica does not write;
 * - the writer (`redis-writer.ts`), whose transactions read the stream up to their own entry. A replica that writes
 *   then learns every other replica's writes and its own batch in the round trip that stores it, and the reader rests
 *   (`writerKeepsUp`) instead of waking, reading and decoding the same entries once more for every batch.
 *
 * Entries are applied in stream order whoever read them: a read covers the stream from the position it was asked
 * at, so the part of it past `lastId` continues the copy without a gap, and entries at or before `lastId` are
 * skipped. A read asked for before a (re)load belongs to an older generation and is dropped whole.
 * @module
 */
import type { Cluster, Redis } from 'ioredis';
import type { MemoryModel } from '../memory/memory-model.js';
import type { Logger } from '../../log/index.js';
import { compareStreamIds, decodeEntry, type DecodedWrite } from './records.js';
import { applyRemovalEntry } from './removal-records.js';

/** Stream entries (batches of writes) a read asks for at most. */
export const streamReadCount = 100;

/**
 * How long after the writer's last read that found the copy current the reader keeps resting. Short: once this
 * replica stops writing, other replicas' writes reach it again through the reader within this.
 */
export const writerReadRestMs = 20;

export type StreamEntry = [id: string, fields: string[]];

/** Where a read starts, and what it may prove. */
export interface StreamRead {
  readonly lastId: string;
  readonly generation: number;
  /**
   * When the read was made (epoch ms): a read that reached the stream's end proves the copy current as of then. The
   * time it was sent; a blocking read's reply time, since Redis answers it as soon as anything is there.
   */
  readonly at: number;
}

/**
 * - `current`: the copy holds every entry the stream held when read;
 * - `more`: the read was full, more entries may wait;
 * - `gap`: entries past `lastId` were trimmed before this copy read them, it needs a reload;
 * - `stale`: the read was asked for before a reload (or while none was done) and was dropped.
 */
export type ReadOutcome = 'current' | 'more' | 'gap' | 'stale';

/** What a read of the stream returned. */
export interface StreamReply {
  /**
   * The first entry the read's trimming check saw: the stream's first (`XRANGE - +`), or `lastId` when the writer's
   * read found it still there; undefined when the stream held none. An ID past `lastId` means entries were trimmed or
   * deleted before this copy read them; so does an empty stream, once the copy has applied an entry (trimming always
   * leaves the newest entry, so only a deleted stream is empty).
   */
  readonly first: string | undefined;
  /**
   * Whether the entry the read started from was still in the stream. False while the stream's first entry is older
   * means the stream's history was replaced (a failover to a server that diverged), so the entries past it are not
   * the ones the copy missed: a reload, unless the copy moved past that entry meanwhile.
   */
  readonly startHeld?: boolean;
  /** The entries, in stream order; those at or before `lastId` are skipped. */
  readonly entries: readonly StreamEntry[];
  /** Whether the read reached the stream's end, rather than stopping at its count. */
  readonly complete: boolean;
  /** This replica's own batch among the entries, applied from its objects. */
  readonly own?: OwnEntry;
  /** The writer's reads let the reader rest while they keep the copy current. */
  readonly byWriter?: boolean;
}

/** A batch this replica wrote, applied from its own objects when its entry comes back. */
export interface OwnEntry {
  readonly id: string;
  readonly writes: readonly DecodedWrite[];
}

export interface StreamCopy {
  readonly model: MemoryModel;
  readonly lastId: string;
  /** Whether the model reflects Redis now (false between a loss and the reload that follows it). */
  readonly synced: boolean;
  /** Epoch ms up to which every write Redis accepted is in the model; 0 before the first load. */
  readonly freshAsOf: number;
  /** How many times the model was loaded: 1 after the first load, one more per reload. */
  readonly loads: number;
  /** The position of a read sent now, or undefined while the copy awaits a reload. */
  startRead(now: number): StreamRead | undefined;
  /** Applies what `read` returned. */
  apply(read: StreamRead, reply: StreamReply): ReadOutcome;
  /** Replaces the model with one loaded from the hashes, as of stream entry `startId`, loaded from `started` on. */
  install(fresh: MemoryModel, startId: string, started: number): void;
  /** Marks the copy as needing a reload: writes may have been missed. */
  lost(): void;
  /** Whether the writer's reads keep the copy current, so the reader may rest. */
  writerKeepsUp(now: number): boolean;
  /** Resolves true once entry `id` is in the model, false after `timeoutMs`. */
  waitFor(id: string, timeoutMs: number): Promise<boolean>;
  close(): void;
}

export function createStreamCopy(model: MemoryModel, logger: Logger): StreamCopy {
  let current = model;
  let lastId = '0-0';
  let synced = false;
  let generation = 0;
  let freshAsOf = 0;
  let loads = 0;
  let writerCurrentAt = Number.NEGATIVE_INFINITY;
  let waiters: { id: string; resolve: (ok: boolean) => void }[] = [];

  const releaseWaiters = (): void => {
    if (waiters.length === 0 || !synced) return;
    waiters = waiters.filter((waiter) => {
      if (compareStreamIds(waiter.id, lastId) > 0) return true;
      waiter.resolve(true);
      return false;
    });
  };

  const applyEntry = (id: string, fields: readonly string[], own: OwnEntry | undefined): void => {
    try {
      if (own !== undefined && id === own.id) {
        for (const decoded of own.writes) applyWrite(current, decoded);
        return;
      }
      if (applyRemovalEntry(current, fields)) return;
      for (const decoded of decodeEntry(fields)) applyWrite(current, decoded);
    } catch (error) {
      logger.warn({ id, err: error }, 'skipped a redis write this version cannot read');
    }
  };

  const lost = (): void => {
    synced = false;
    generation++;
    writerCurrentAt = Number.NEGATIVE_INFINITY;
  };

  return {
    get model() {
      return current;
    },
    get lastId() {
      return lastId;
    },
    get synced() {
      return synced;
    },
    get freshAsOf() {
      return freshAsOf;
    },
    get loads() {
      return loads;
    },
    startRead: (now) => (synced ? { lastId, generation, at: now } : undefined),
    apply(read, { first, startHeld, entries, complete, own, byWriter = false }) {
      if (read.generation !== generation || !synced) return 'stale';
      // NB: the stream's first entry past the last one applied means MAXLEN or MINID trimmed entries this copy never
      // saw, or the stream was deleted: only a reload can recover them. A read that started earlier than lastId is
      // judged against lastId, since the entries up to it are in the copy already.
      const replaced = startHeld === false && read.lastId === lastId;
      if (lastId !== '0-0' && (replaced || first === undefined || compareStreamIds(first, lastId) > 0)) {
        lost();
        return 'gap';
      }
      for (const [id, fields] of entries) {
        if (compareStreamIds(id, lastId) <= 0) continue;
        lastId = id;
        applyEntry(id, fields, own);
      }
      if (complete) freshAsOf = Math.max(freshAsOf, read.at);
      if (byWriter) writerCurrentAt = complete ? read.at : Number.NEGATIVE_INFINITY;
      releaseWaiters();
      return complete ? 'current' : 'more';
    },
    install(fresh, startId, started) {
      current.close();
      current = fresh;
      lastId = startId;
      synced = true;
      generation++;
      writerCurrentAt = Number.NEGATIVE_INFINITY;
      freshAsOf = started;
      loads++;
      releaseWaiters();
    },
    lost,
    writerKeepsUp: (now) => synced && now - writerCurrentAt < writerReadRestMs,
    waitFor(id, timeoutMs) {
      if (synced && compareStreamIds(id, lastId) <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          resolve(ok);
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter.resolve !== done);
          resolve(false);
        }, timeoutMs);
        waiters.push({ id, resolve: done });
      });
    },
    close() {
      for (const waiter of waiters) waiter.resolve(false);
      waiters = [];
      current.close();
    },
  };
}

/**
 * One read by a sync's reader: the entries past `lastId`, then the stream's first entry ID (the trimming check) and
 * whether `lastId` itself is still there (a replaced stream), in one round trip, applied to `copy`. With `blockMs`,
 * XREAD waits up to that long for an entry. The copy must be synced.
 */
export async function readStreamInto(
  copy: StreamCopy,
  client: Redis | Cluster,
  stream: string,
  blockMs: number | undefined,
  now: () => number,
): Promise<{ readonly outcome: ReadOutcome; readonly from: string }> {
  const read = copy.startRead(now());
  if (read === undefined) throw new Error('a read of a copy that awaits a reload');
  const pipeline = client.pipeline();
  if (blockMs === undefined) pipeline.xread('COUNT', streamReadCount, 'STREAMS', stream, read.lastId);
  else pipeline.xread('COUNT', streamReadCount, 'BLOCK', blockMs, 'STREAMS', stream, read.lastId);
  // NB: after the XREAD, which Redis runs first: a stream deleted (an operator's DEL, FLUSHALL) or replaced (a failover
  // to a server that diverged) while the read waited comes back with entries past lastId that the copy must not simply
  // add to what it holds. The stream's first entry and whether lastId is still there tell it so.
  pipeline.xrange(stream, '-', '+', 'COUNT', 1);
  pipeline.xrange(stream, read.lastId, read.lastId);
  const replies = await pipeline.exec();
  if (replies === null) throw new Error('redis pipeline was discarded');
  for (const [error] of replies) if (error) throw error;
  const entries = streamEntriesOf(replies[0]![1]);
  // NB: XREAD BLOCK answers as soon as anything is there, so its reply is what proves the copy current.
  const outcome = copy.apply(blockMs === undefined ? read : { ...read, at: now() }, {
    first: firstIdOf(replies[1]![1]),
    startHeld: rangeEntriesOf(replies[2]![1]).length > 0,
    entries,
    complete: entries.length < streamReadCount,
  });
  return { outcome, from: read.lastId };
}

function applyWrite(model: MemoryModel, decoded: DecodedWrite): void {
  if (decoded.kind === 'custom') model.writeCustom(decoded.write);
  else model.writeExternal(decoded.write);
}

/**
 * The entries of an XREAD reply on one stream: `[[stream, entries]]` as ioredis gives a command's reply, or the
 * flat `[stream, entries]` of a RESP3 map inside an EXEC's results; null (nothing new) gives none.
 */
export function streamEntriesOf(reply: unknown): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new Error('an XREAD reply must be an array');
  const pair: unknown = Array.isArray(reply[0]) ? reply[0] : reply;
  const entries = Array.isArray(pair) ? (pair[1] as unknown) : undefined;
  if (!Array.isArray(entries)) throw new Error('an XREAD reply without entries');
  return entries as StreamEntry[];
}

/** The entries of an XRANGE reply. */
export function rangeEntriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) throw new Error('an XRANGE reply must be an array');
  for (const entry of reply as unknown[])
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new Error('an XRANGE entry must be [id, fields]');
  return reply as StreamEntry[];
}

/** The first entry's ID in an XRANGE reply, undefined for an empty stream. */
export function firstIdOf(reply: unknown): string | undefined {
  return rangeEntriesOf(reply)[0]?.[0];
}
