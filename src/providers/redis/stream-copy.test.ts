import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { capturedLog } from '../../../test/helpers/captured-log.js';
import { createSilentLogger } from '../../log/index.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything } from '../../selector/index.js';
import { createMemoryModel, type MemoryModel } from '../memory/memory-model.js';
import type { CustomMetricWrite } from '../write.js';
import { batchField, encodeBatch } from './records.js';
import {
  createStreamCopy,
  firstIdOf,
  rangeEntriesOf,
  streamEntriesOf,
  streamReadCount,
  writerReadRestMs,
  type StreamEntry,
  type StreamReply,
} from './stream-copy.js';

const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' } as const;
const write = (pod: string, value: string): CustomMetricWrite => ({
  info,
  name: { namespace: 'ns', name: pod },
  value: parseQuantity(value),
  metricLabels: {},
  objectLabels: undefined,
  timestamp: 1000,
});
const entry = (id: string, ...writes: CustomMetricWrite[]): StreamEntry => [
  id,
  [batchField, encodeBatch(writes.map((w) => ({ kind: 'custom' as const, write: w })))],
];
const model = (): MemoryModel =>
  createMemoryModel({ mapper: createStaticResourceMapper(), logger: createSilentLogger(), ttlMs: 0 });
const storedValue = async (copy: { readonly model: MemoryModel }, pod: string): Promise<string | undefined> => {
  try {
    return (await copy.model.custom.getMetricByName({ namespace: 'ns', name: pod }, info, everything)).value;
  } catch {
    return undefined;
  }
};

/** What a reader's XRANGE + XREAD returns: complete unless it holds as many entries as a read asks for. */
const reply = (first: string | undefined, entries: StreamEntry[]): StreamReply => ({
  first,
  entries,
  complete: entries.length < streamReadCount,
});

/** A copy loaded (empty) as of stream entry `startId`. */
const loaded = (startId = '10-0') => {
  const copy = createStreamCopy(model(), createSilentLogger());
  copy.install(model(), startId, 5);
  return copy;
};

describe('a partition copy fed from the write stream', () => {
  test('applies entries past lastId in order, whichever read brings them, and skips the ones it holds', async () => {
    const copy = loaded();
    const early = copy.startRead(100)!;
    assert.equal(
      copy.apply(copy.startRead(100)!, reply('1-0', [entry('11-0', write('a', '1')), entry('12-0', write('a', '2'))])),
      'current',
    );
    // A read sent before the one above, answered after it: its first two entries are in the copy already.
    const late = [entry('11-0', write('a', '1')), entry('12-0', write('a', '2')), entry('13-0', write('b', '3'))];
    assert.equal(copy.apply(early, reply('1-0', late)), 'current');
    assert.equal(await storedValue(copy, 'a'), '2');
    assert.equal(await storedValue(copy, 'b'), '3');
    assert.equal(copy.lastId, '13-0');
    // An entry the copy holds is not applied again: a value written since (here, straight into the model) stays.
    copy.model.writeCustom(write('a', '9'));
    assert.equal(copy.apply(copy.startRead(100)!, reply('1-0', [entry('12-0', write('a', '2'))])), 'current');
    assert.equal(await storedValue(copy, 'a'), '9');
  });

  test('a read asked for before a reload or a loss is dropped whole', async () => {
    const copy = loaded();
    const before = copy.startRead(100)!;
    copy.install(model(), '20-0', 200);
    assert.equal(copy.apply(before, reply('1-0', [entry('21-0', write('a', '1'))])), 'stale');
    assert.equal(await storedValue(copy, 'a'), undefined);
    assert.equal(copy.lastId, '20-0');
    const again = copy.startRead(300)!;
    copy.lost();
    assert.equal(copy.synced, false);
    assert.equal(copy.startRead(400), undefined, 'no read while a reload is due');
    assert.equal(copy.apply(again, reply('1-0', [entry('21-0', write('a', '1'))])), 'stale');
    assert.equal(copy.loads, 2);
  });

  test('entries trimmed past lastId make a gap, which asks for a reload', async () => {
    const copy = loaded();
    assert.equal(copy.apply(copy.startRead(100)!, reply('11-0', [entry('11-0', write('a', '1'))])), 'gap');
    assert.equal(copy.synced, false);
    assert.equal(await storedValue(copy, 'a'), undefined);
  });

  test("the writer's own entry is applied from its objects, not decoded", async () => {
    const { logger, lines } = capturedLog();
    const copy = createStreamCopy(model(), logger);
    copy.install(model(), '10-0', 5);
    // NB: the payload is unreadable, so only the held objects can give the value.
    const own = { id: '11-0', writes: [{ kind: 'custom' as const, write: write('a', '7') }] };
    assert.equal(
      copy.apply(copy.startRead(100)!, { ...reply('1-0', [['11-0', [batchField, 'not json']]]), own, byWriter: true }),
      'current',
    );
    assert.equal(await storedValue(copy, 'a'), '7');
    assert.deepEqual(lines, []);
    // Another replica's unreadable entry is skipped with a warning, and the copy goes on past it.
    copy.apply(
      copy.startRead(100)!,
      reply('1-0', [['12-0', [batchField, 'not json']], entry('13-0', write('b', '1'))]),
    );
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /skipped a redis write this version cannot read/);
    assert.equal(await storedValue(copy, 'b'), '1');
  });

  test("the reader rests only while the writer's last read found the copy current, and not for long", () => {
    const copy = loaded();
    assert.equal(copy.writerKeepsUp(100), false, 'no writer read yet');
    copy.apply(copy.startRead(100)!, { ...reply('1-0', [entry('11-0', write('a', '1'))]), byWriter: true });
    assert.equal(copy.writerKeepsUp(100 + writerReadRestMs - 1), true);
    assert.equal(copy.writerKeepsUp(100 + writerReadRestMs), false);
    const full = Array.from({ length: streamReadCount }, (_, i) => entry(`${20 + i}-0`, write('a', String(i))));
    assert.equal(copy.apply(copy.startRead(150)!, { ...reply('1-0', full), byWriter: true }), 'more');
    assert.equal(copy.writerKeepsUp(151), false, 'a full read leaves more for the reader');
    assert.equal(copy.freshAsOf, 100, 'a full read proves nothing');
    copy.apply(copy.startRead(160)!, reply('1-0', []));
    assert.equal(copy.writerKeepsUp(161), false, "the reader's own reads do not let it rest");
    assert.equal(copy.freshAsOf, 160);
  });

  test('waitFor resolves once the entry is applied, and false after its timeout', async () => {
    const copy = loaded();
    const waiting = copy.waitFor('11-0', 10_000);
    copy.apply(copy.startRead(100)!, reply('1-0', [entry('11-0', write('a', '1'))]));
    assert.equal(await waiting, true);
    assert.equal(await copy.waitFor('11-0', 0), true, 'at once when applied already');
    assert.equal(await copy.waitFor('99-0', 10), false);
  });

  test('reads XREAD and XRANGE replies in both the command and the transaction shapes', () => {
    const entries: StreamEntry[] = [['1-0', ['b', '[]']]];
    assert.deepEqual(streamEntriesOf([['s', entries]]), entries);
    assert.deepEqual(streamEntriesOf(['s', entries]), entries, 'a RESP3 map inside EXEC comes flat');
    assert.deepEqual(streamEntriesOf(null), []);
    assert.throws(() => streamEntriesOf('x'), /must be an array/);
    assert.throws(() => streamEntriesOf(['s']), /without entries/);
    assert.equal(firstIdOf([['5-1', ['b', '[]']]]), '5-1');
    assert.equal(firstIdOf([]), undefined);
    assert.throws(() => firstIdOf(null), /must be an array/);
    assert.throws(() => rangeEntriesOf([['1-0'], 'x']), /must be \[id, fields\]/);
  });
});
