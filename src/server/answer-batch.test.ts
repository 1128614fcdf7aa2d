import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { createAnswerBatch } from './answer-batch.js';

interface Written {
  readonly name: string;
  readonly code: number;
  readonly headers: readonly (string | number)[];
  readonly body: string | undefined;
}

function recordingResponse(name: string, written: Written[], refuse = false): ServerResponse {
  let head: { code: number; headers: readonly (string | number)[] } | undefined;
  const response = {
    writeHead(code: number, headers: readonly (string | number)[]) {
      if (refuse) throw new TypeError(`invalid header in ${name}`);
      head = { code, headers };
    },
    end(body?: Buffer) {
      written.push({ name, code: head!.code, headers: head!.headers, body: body?.toString() });
    },
  };
  return response as unknown as ServerResponse;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('answers queued in one turn are written after it, in the order they were queued', async () => {
  const written: Written[] = [];
  const { write } = createAnswerBatch(() => assert.fail('nothing fails'));
  write(recordingResponse('a', written), 200, ['content-length', 1], Buffer.from('a'));
  write(recordingResponse('b', written), 404, [], undefined);
  await Promise.resolve();
  assert.deepEqual(written, [], 'nothing is written in the turn that queued it');
  await nextTurn();
  assert.deepEqual(written, [
    { name: 'a', code: 200, headers: ['content-length', 1], body: 'a' },
    { name: 'b', code: 404, headers: [], body: undefined },
  ]);
  write(recordingResponse('c', written), 201, [], Buffer.from('c'));
  await nextTurn();
  assert.deepEqual(
    written.map((w: Written) => w.name),
    ['a', 'b', 'c'],
    'a later turn writes its own answers',
  );
});

test('an answer whose headers are refused goes to the failure callback; the rest are still written', async () => {
  const written: Written[] = [];
  const failures: string[] = [];
  const { write } = createAnswerBatch((response, error) => {
    failures.push((error as Error).message);
    // NB: an answer queued by the failure callback is written in the same flush.
    write(recordingResponse('retry', written), 500, [], Buffer.from('failed'));
    assert.ok(response);
  });
  write(recordingResponse('ok-1', written), 200, [], Buffer.from('1'));
  write(recordingResponse('bad', written, true), 200, [], Buffer.from('x'));
  write(recordingResponse('ok-2', written), 200, [], Buffer.from('2'));
  await nextTurn();
  assert.deepEqual(failures, ['invalid header in bad']);
  assert.deepEqual(
    written.map((w) => `${w.name} ${w.code} ${w.body}`),
    ['ok-1 200 1', 'ok-2 200 2', 'retry 500 failed'],
  );
});

test('flush writes what is queued at once, and the end of the turn finds nothing left to write', async () => {
  const written: Written[] = [];
  const batch = createAnswerBatch(() => assert.fail('nothing fails'));
  batch.write(recordingResponse('a', written), 200, [], Buffer.from('a'));
  batch.flush();
  assert.deepEqual(
    written.map((w: Written) => w.name),
    ['a'],
  );
  await nextTurn();
  assert.equal(written.length, 1, 'an answer is written once');
});

test('a flush from within a flush writes each answer once', async () => {
  const written: Written[] = [];
  const batch = createAnswerBatch(() => batch.flush());
  batch.write(recordingResponse('a', written), 200, [], Buffer.from('a'));
  batch.write(recordingResponse('bad', written, true), 200, [], Buffer.from('x'));
  batch.write(recordingResponse('b', written), 200, [], Buffer.from('b'));
  await nextTurn();
  assert.deepEqual(
    written.map((w: Written) => w.name),
    ['a', 'b'],
  );
});
