import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from './ring-buffer.js';
import { createSampler } from './sampler.js';
import type { MetricSnapshot } from './metric-snapshot.js';

test('the ring buffer keeps the newest items, oldest first', () => {
  const ring = new RingBuffer<number>(3);
  for (let i = 1; i <= 5; i++) ring.push(i);
  assert.deepEqual(ring.toArray(), [3, 4, 5]);
  assert.equal(ring.last(), 5);
  assert.throws(() => new RingBuffer(0), RangeError);
});

test('the sampler is bounded: points per series by the window, series per metric by maxSeries', async () => {
  let t = 0;
  let count = 0;
  const snapshot = async (): Promise<MetricSnapshot[]> => [
    {
      key: 'custom:pods:m',
      api: 'custom',
      title: 'pods m',
      truncated: false,
      values: Array.from({ length: 8 }, (_, i) => ({ object: `p${i}`, value: String(t), number: t, timestamp: t })),
    },
  ];
  const sampler = createSampler(snapshot, () => [{ verb: 'GET', group: 'g', version: 'v', code: 200, count }], {
    intervalMs: 10,
    windowMs: 100,
    maxSeries: 3,
    now: () => t,
  });
  for (let i = 0; i < 50; i++) {
    t += 10;
    count += 5;
    await sampler.sample();
  }
  const history = sampler.history('custom:pods:m');
  assert.deepEqual([...history.keys()], ['p0', 'p1', 'p2']);
  const points = history.get('p0')!;
  assert.ok(points.length <= 11, `${points.length} points`);
  assert.equal(points[points.length - 1]!.v, 500);
  assert.equal(sampler.requestRate().perSecond, 500);
});
