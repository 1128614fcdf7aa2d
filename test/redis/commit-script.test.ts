/**
 * The commit script against a real redis-server: hashes set, deleted and expired in chunks past Lua's unpack bound,
 * the read after the copy's last entry (exclusive, bounded, and telling whether that entry is still there), trimming,
 * the wake-up, and the NOSCRIPT answer the writer falls back on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import {
  commitArguments,
  commitReplyOf,
  commitScript,
  commitScriptSha,
  isNoScript,
  type CommitReply,
  type CommitRequest,
} from '../../src/providers/redis/commit-script.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;

let redis: RedisServer | undefined;
let client: Redis;
if (binary !== undefined) {
  before(async () => {
    redis = await startRedisServer(binary);
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis?.stop();
  });
}

const empty: Omit<CommitRequest, 'stream' | 'payload'> = {
  sets: new Map(),
  deletes: new Map(),
  expiring: new Set(),
  ttlMs: 0,
  readFrom: undefined,
  readCount: 100,
  minId: undefined,
  maxLength: undefined,
  publish: undefined,
};

async function commit(request: Partial<CommitRequest> & Pick<CommitRequest, 'stream'>): Promise<CommitReply> {
  const reply = await client.call('EVAL', commitScript, ...commitArguments({ ...empty, payload: '[]', ...request }));
  return commitReplyOf(reply);
}

test('hashes are set, deleted from and expired, past the values one HSET or HDEL may take', { skip }, async () => {
  const fields = new Map(Array.from({ length: 5000 }, (_, i) => [`f${i}`, `v${i}`] as const));
  await client.hset('h:gone', 'kept', '1', ...Array.from({ length: 1200 }, (_, i) => [`d${i}`, 'x']).flat());
  await commit({
    stream: 's:hashes',
    sets: new Map([
      ['h:many', fields],
      ['h:one', new Map([['a', '1']])],
    ]),
    deletes: new Map([['h:gone', new Set(Array.from({ length: 1200 }, (_, i) => `d${i}`))]]),
    expiring: new Set(['h:one']),
    ttlMs: 60_000,
  });
  assert.deepEqual(await client.hgetall('h:many'), Object.fromEntries(fields));
  assert.deepEqual(await client.hgetall('h:one'), { a: '1' });
  assert.deepEqual(await client.hgetall('h:gone'), { kept: '1' });
  const ttl = await client.pttl('h:one');
  assert.ok(ttl > 59_000 && ttl <= 60_000, `PTTL ${ttl}`);
  assert.equal(await client.pttl('h:many'), -1);
});

test('the read starts after the last entry, says whether it is still there, and stops at its count', {
  skip,
}, async () => {
  const stream = 's:read';
  const first = await commit({ stream, payload: '["first"]' });
  assert.deepEqual([first.held, first.entries], [false, []], 'no read asked');
  const own = await commit({ stream, readFrom: first.id });
  assert.deepEqual([own.held, own.entries], [true, []], 'the last entry comes not back');
  const others = [];
  for (let i = 0; i < 5; i++) others.push(await client.xadd(stream, '*', 'b', `["other ${i}"]`));
  const next = await commit({ stream, readFrom: own.id, readCount: 3 });
  assert.equal(next.held, true);
  assert.deepEqual(
    next.entries,
    others.slice(0, 3).map((id, i) => [id, ['b', `["other ${i}"]`]]),
  );
  assert.ok(next.id > others[4]!, 'the batch entry comes after everything read');
  await client.xtrim(stream, 'MINID', others[4]!);
  const trimmed = await commit({ stream, readFrom: own.id });
  assert.equal(trimmed.held, false, 'trimmed past the copy');
  assert.deepEqual(
    trimmed.entries.map(([id]) => id),
    [others[4], next.id],
  );
  await client.del(stream);
  const deleted = await commit({ stream, readFrom: trimmed.id });
  assert.deepEqual([deleted.held, deleted.entries], [false, []], 'a deleted stream holds nothing after the copy');
});

test('the batch entry trims by time or by length, and announces the partition', { skip }, async () => {
  const stream = 's:trim';
  for (let i = 0; i < 300; i++) await client.xadd(stream, '*', 'b', '[]');
  const subscriber = new Redis(redis!.url);
  try {
    await subscriber.subscribe('changes');
    const message = new Promise<string>((resolve) => subscriber.once('message', (_, text: string) => resolve(text)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const byTime = await commit({ stream, minId: Date.now(), publish: { channel: 'changes', message: '7' } });
    assert.equal(await message, '7');
    // NB: `~` trims whole radix-tree nodes only (100 entries each by default), so up to one node more stays.
    const left = await client.xrange(stream, '-', '+');
    assert.ok(left.length < 200, `${left.length} of 301 entries left after MINID ~ now`);
    assert.equal(left.at(-1)![0], byTime.id);
    for (let i = 0; i < 300; i++) await client.xadd(stream, '*', 'b', '[]');
    await commit({ stream, maxLength: 10 });
    const length = await client.xlen(stream);
    assert.ok(length >= 10 && length < 200, `XLEN ${length} after MAXLEN ~ 10 of 302`);
  } finally {
    subscriber.disconnect();
  }
});

test('EVALSHA of the script on a Redis that lost it is answered NOSCRIPT', { skip }, async () => {
  await client.script('FLUSH');
  const error = await client
    .call('EVALSHA', commitScriptSha, ...commitArguments({ ...empty, stream: 's:lost', payload: '[]' }))
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.ok(isNoScript(error), String(error));
  assert.equal(await client.exists('s:lost'), 0, 'nothing ran');
  assert.equal(isNoScript(new Error('ERR wrong number of arguments')), false);
});
