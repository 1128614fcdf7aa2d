/**
 * The write API's label errors on the wire: a 400 Status whose message names the item that is not key=value,
 * in plain words, for both the object labels of a custom metric and the series labels of an external one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';

let adapter: Awaited<ReturnType<typeof createMemoryAdapter>>;
before(async () => {
  adapter = await createMemoryAdapter();
});
after(async () => adapter.close());

test('a label item that is not key=value is a 400 BadRequest naming the item', async () => {
  const cases: [string, string][] = [
    [
      '/write-metrics/namespaces/default/pods/p/m?objectLabels=a%3Db%3Dc',
      'invalid objectLabels "a=b=c": "a=b=c" is not key=value',
    ],
    [
      '/write-external-metrics/namespaces/default/queue?labels=q%3Dw%2Cb',
      'invalid labels "q=w,b": "b" is not key=value',
    ],
    [
      '/write-external-metrics/namespaces/default/queue?labels=q%3Dw%2C',
      'invalid labels "q=w,": an empty item (a stray ",") is not key=value',
    ],
  ];
  for (const [path, message] of cases) {
    const res = await adapter.post(path, '"1"');
    assert.equal(res.statusCode, 400, path);
    const status = JSON.parse(res.body) as { kind: string; code: number; reason: string; message: string };
    assert.deepEqual(
      { kind: status.kind, code: status.code, reason: status.reason, message: status.message },
      { kind: 'Status', code: 400, reason: 'BadRequest', message },
      path,
    );
  }
});
