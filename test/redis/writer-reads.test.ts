/**
 * Against a real redis-server: a replica that writes learns its own batches and other replicas' writes from its
 * transactions' reads of the stream, its stream reader rests meanwhile and takes over once the writes stop, and a
 * connection lost while the reader rests still reloads the copy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger, type Logger } from '../../src/log/index.js';
import { capturedLog } from '../helpers/captured-log.js';
import type { CustomMetricWrite } from '../../src/providers/write.js';
import { createKeys } from '../../src/providers/redis/layout.js';
import { createRedisWriter, type RedisWriter } from '../../src/providers/redis/redis-writer.js';
import { startReplicaSync, type ReplicaSync } from '../../src/providers/redis/replica-sync.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const logger = createSilentLogger();

let redis: RedisServer | undefined;
if (binary !== undefined) {
  before(async () => {
    redis = await startRedisServer(binary);
  });
  after(async () => redis?.stop());
}

const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' } as const;
const write = (name: string, value: string): CustomMetricWrite => ({
  info,
  name: { namespace: 'w', name },
  value: parseQuantity(value),
  metricLabels: {},
  objectLabels: undefined,
  timestamp: Date.now(),
});

interface Replica {
  readonly sync: ReplicaSync;
  readonly writer: RedisWriter;
  readonly reader: Redis;
  /** Pipelines the stream reader sent so far (each is one XRANGE + XREAD). */
  readerReads(): number;
  valueOf(pod: string): Promise<string | undefined>;
  close(): Promise<void>;
}

interface ReplicaOptions {
  readonly blockMs?: number;
  /** How long a write waits for the copy before the writer applies it itself. */
  readonly applyTimeoutMs?: number;
  readonly logger?: Logger;
}

async function startReplica(prefix: string, options: ReplicaOptions = {}): Promise<Replica> {
  const { blockMs, applyTimeoutMs } = options;
  const log = options.logger ?? logger;
  const connect = (): Redis => new Redis(redis!.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  const keys = createKeys(prefix);
  const reader = connect();
  let reads = 0;
  const pipeline = reader.pipeline.bind(reader);
  reader.pipeline = ((...args: Parameters<typeof pipeline>) => {
    reads++;
    return pipeline(...args);
  }) as typeof reader.pipeline;
  const sync = startReplicaSync({
    client: reader,
    keys,
    mapper: createStaticResourceMapper(),
    logger: log,
    ttlMs: 0,
    ...(blockMs !== undefined ? { blockMs } : {}),
  });
  const client = connect();
  const writer = createRedisWriter({
    client,
    keys,
    sync,
    logger: log,
    ttlMs: 0,
    streamMaxLength: 100_000,
    streamRetentionMs: 60_000,
    ...(applyTimeoutMs !== undefined ? { applyTimeoutMs } : {}),
  });
  assert.equal(await sync.firstSync(10_000), true);
  return {
    sync,
    writer,
    reader,
    readerReads: () => reads,
    async valueOf(pod) {
      try {
        return (await sync.model().custom.getMetricByName({ namespace: 'w', name: pod }, info, everything)).value;
      } catch {
        return undefined;
      }
    },
    async close() {
      await sync.close();
      client.disconnect();
    },
  };
}

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("a writing replica's transactions keep its copy current, and its reader rests until the writes stop", {
  skip,
}, async () => {
  const a = await startReplica('rest:');
  const b = await startReplica('rest:');
  try {
    const readsBefore = a.readerReads();
    for (let i = 1; i <= 200; i++) {
      if (i % 20 === 0) await b.writer.writeCustomMetric(write('from-b', `${i}`));
      await a.writer.writeCustomMetric(write('from-a', `${i}`));
      // Acknowledged means in this replica's copy, and so is everything acknowledged before it anywhere.
      assert.equal(await a.valueOf('from-a'), `${i}`);
      if (i >= 20) assert.equal(await a.valueOf('from-b'), `${i - (i % 20)}`);
    }
    const readerReads = a.readerReads() - readsBefore;
    assert.ok(readerReads < 40, `the reader read ${readerReads} times during 200 transactions`);
    // Once A stops writing, its reader brings B's writes again.
    await b.writer.writeCustomMetric(write('from-b', '1001'));
    await eventually('the write of the other replica', async () => (await a.valueOf('from-b')) === '1001');
    assert.ok(a.readerReads() > readsBefore + readerReads);
    assert.equal(a.sync.state().loads, 1, 'no reload');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a resting reader still reads once per blockMs, so its connection is never idle for long', { skip }, async () => {
  const a = await startReplica('idle:', { blockMs: 200 });
  try {
    const before = a.readerReads();
    const until = Date.now() + 2000;
    let n = 0;
    while (Date.now() < until) await a.writer.writeCustomMetric(write('busy', `${++n}`));
    const reads = a.readerReads() - before;
    assert.ok(n > 50, `only ${n} writes`);
    // NB: about one read per 200 ms of writing (a reader resting for good makes 2 or 3, on the writes' first and last
    // wake-ups); a reader that never rested would read once per write.
    assert.ok(reads >= 6 && reads < n / 4, `${reads} reader reads during ${n} writes over 2 s`);
  } finally {
    await a.close();
  }
});

test("a reader connection lost while the writer's reads let it rest reloads the copy", { skip }, async () => {
  const a = await startReplica('lost:');
  try {
    let stop = false;
    let n = 0;
    const writing = (async () => {
      while (!stop) await Promise.resolve(a.writer.writeCustomMetric(write('busy', `${++n}`))).catch(() => undefined);
    })();
    await eventually('writes', async () => n > 50);
    a.reader.disconnect(true);
    await eventually('a reload', async () => a.sync.state().loads === 2 && a.sync.state().connected);
    stop = true;
    await writing;
    await a.writer.writeCustomMetric(write('busy', '999999'));
    assert.equal(await a.valueOf('busy'), '999999');
  } finally {
    await a.close();
  }
});

test('writes that arrive over the next turns join one transaction, and a steady trickle still commits', {
  skip,
}, async () => {
  const a = await startReplica('gather:');
  const stream = createKeys('gather:').partitions[0]!.stream;
  const admin = new Redis(redis!.url);
  try {
    const writesPerEntry = async (): Promise<number[]> => {
      const entries = (await admin.xrange(stream, '-', '+')) as [string, string[]][];
      return entries.map(([, fields]) => (JSON.parse(fields[1]!) as unknown[]).length);
    };
    /**
     * One write per turn of the event loop, `count` of them. NB: each turn's write is scheduled before the writer's
     * own wait for that turn, as a request parsed in the poll phase comes before the writer's check-phase callback.
     */
    const everyTurn = (count: number, name: (i: number) => string): Promise<unknown> =>
      new Promise((resolve) => {
        const acks: (void | Promise<void>)[] = [];
        const next = (i: number): void => {
          if (i < count - 1) setImmediate(() => next(i + 1));
          acks.push(a.writer.writeCustomMetric(write(name(i), '1')));
          if (acks.length === count) resolve(Promise.all(acks));
        };
        next(0);
      });
    // Three writes, one per turn: the batch waits while turns bring more.
    await everyTurn(3, (i) => `p${i}`);
    assert.deepEqual(await writesPerEntry(), [3]);
    // One write per turn for 20 turns: the wait is bounded, so the first transaction leaves after its write and the
    // three turns' writes it waited for. NB: the later ones hold whatever queued during a round trip, which depends on
    // the machine's load.
    await everyTurn(20, (i) => `t${i}`);
    const sizes = (await writesPerEntry()).slice(1);
    assert.equal(
      sizes.reduce((sum, n) => sum + n, 0),
      20,
    );
    assert.equal(sizes[0], 4, `20 writes over 20 turns went in transactions of ${sizes.join(', ')}`);
  } finally {
    admin.disconnect();
    await a.close();
  }
});

test("a stream trimmed behind a writing replica's back reloads its copy", { skip }, async () => {
  const a = await startReplica('trim:');
  const b = await startReplica('trim:');
  const stream = createKeys('trim:').partitions[0]!.stream;
  const admin = new Redis(redis!.url);
  try {
    await a.writer.writeCustomMetric(write('x', '1'));
    // B writes while A's reader is held, then the stream is cut to B's last entry: A never saw the others.
    a.reader.stream.pause();
    for (let i = 0; i < 5; i++) await b.writer.writeCustomMetric(write(`b${i}`, '2'));
    await admin.xtrim(stream, 'MAXLEN', 1);
    await a.writer.writeCustomMetric(write('x', '3'));
    a.reader.stream.resume();
    await eventually('a reload after the trim', async () => a.sync.state().loads === 2 && a.sync.state().connected);
    for (let i = 0; i < 5; i++) assert.equal(await a.valueOf(`b${i}`), '2');
  } finally {
    admin.disconnect();
    await Promise.all([a.close(), b.close()]);
  }
});

for (const { name, blockMs, writeAfter, olderEntry = false } of [
  // NB: A never writes, so only its reader, blocked in XREAD from the last entry it applied, can notice; B's write
  // after the deletion wakes it with an entry past that one.
  { name: 'while an idle replica waits on it, then written again', blockMs: 5000, writeAfter: true },
  { name: 'with nothing written after it', blockMs: 200, writeAfter: false },
  // NB: as a failover to a server whose history diverged: the stream has entries before and after A's last one, but
  // not that one.
  { name: 'and replaced by one with older entries', blockMs: 200, writeAfter: true, olderEntry: true },
]) {
  test(`a stream deleted ${name} reloads every copy, without the deleted values`, { skip }, async () => {
    const prefix = `deleted-${blockMs}:`;
    const a = await startReplica(prefix, { blockMs });
    const b = await startReplica(prefix);
    const admin = new Redis(redis!.url);
    try {
      await b.writer.writeCustomMetric(write('old', '1'));
      await eventually("A's copy of the old value", async () => (await a.valueOf('old')) === '1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // An operator's DEL of every key of the prefix, as FLUSHALL would: the stream and the hashes.
      const replaced = admin.multi().del(...(await admin.keys(`${prefix}*`)));
      if (olderEntry) replaced.xadd(createKeys(prefix).partitions[0]!.stream, '1-1', 'b', '[]');
      await replaced.exec();
      if (writeAfter) await b.writer.writeCustomMetric(write('new', '2'));
      for (const replica of [a, b]) {
        await eventually('a reload', async () => replica.sync.state().loads === 2 && replica.sync.state().connected);
        assert.equal(await replica.valueOf('old'), undefined, 'a value deleted from Redis is gone from the copy');
      }
      if (writeAfter) assert.equal(await a.valueOf('new'), '2');
      // Reloaded, the copies' reads find nothing more to reload for, and the next write reaches them.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await b.writer.writeCustomMetric(write('next', '3'));
      await eventually("A's copy of the next value", async () => (await a.valueOf('next')) === '3');
      assert.deepEqual([a.sync.state().loads, b.sync.state().loads], [2, 2]);
    } finally {
      admin.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test("a burst that outruns both the stream reader and the writer's reads is served at once and causes no reload", {
  skip,
}, async () => {
  const { logger: capture, lines } = capturedLog(4);
  const a = await startReplica('burst:', { applyTimeoutMs: 20, logger: capture });
  const b = await startReplica('burst:');
  const withLabels = (name: string, value: string): CustomMetricWrite => ({
    ...write(name, value),
    objectLabels: { app: 'burst' },
  });
  try {
    // NB: A's reader stays unread in its socket, and B's 150 entries put A's copy further behind than one read of
    // the writer's reaches, so A's first batch can only be served by the writer applying it itself.
    a.reader.stream.pause();
    for (let i = 0; i < 150; i++) await b.writer.writeCustomMetric(withLabels(`b-${i}`, '1'));
    const pods = 50;
    for (let round = 1; round <= 4; round++) {
      await Promise.all(
        Array.from({ length: pods }, (_, i) =>
          a.writer.writeCustomMetric(withLabels(`pod-${i}`, `${round * 1000 + i + 1}m`)),
        ),
      );
      // Acknowledged means readable here, whether or not the reader has caught up.
      for (let i = 0; i < pods; i++) assert.equal(await a.valueOf(`pod-${i}`), `${round * 1000 + i + 1}m`);
    }
    assert.ok(
      lines.some((line) => line.includes('applied a write before the stream delivered it')),
      'the writer applied a batch itself',
    );
    a.reader.stream.resume();
    const stream = createKeys('burst:').partitions[0]!.stream;
    const admin = new Redis(redis!.url);
    const last = (await admin.xrevrange(stream, '+', '-', 'COUNT', 1)) as [string, string[]][];
    admin.disconnect();
    assert.equal(await a.sync.waitFor(last[0]![0], 10_000), true, 'the copy caught up with the stream');
    for (let i = 0; i < pods; i++) assert.equal(await a.valueOf(`pod-${i}`), `${4000 + i + 1}m`);
    for (let i = 0; i < 150; i++) assert.equal(await a.valueOf(`b-${i}`), '1');
    assert.equal(a.sync.state().loads, 1, 'the model was loaded once, at start');
    assert.equal(a.sync.state().connected, true);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a write after Redis lost the commit script (SCRIPT FLUSH, a restart) sends the script again', {
  skip,
}, async () => {
  const a = await startReplica('flushed:');
  const admin = new Redis(redis!.url);
  try {
    const evals = async () => Number(/cmdstat_eval:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    await a.writer.writeCustomMetric(write('pod', '1'));
    await admin.script('FLUSH');
    const before = await evals();
    await a.writer.writeCustomMetric(write('pod', '2'));
    assert.equal(await a.valueOf('pod'), '2');
    assert.equal(await evals(), before + 1, 'the script text was sent once more');
  } finally {
    admin.disconnect();
    await a.close();
  }
});
