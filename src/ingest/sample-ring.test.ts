import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SampleRing } from './sample-ring.js';

test('a SampleRing holds what an array trimmed from the front holds, through growth and wrap-around', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(-1)), { maxLength: 400 }),
      fc.integer({ min: 1, max: 8 }),
      (steps, capacityPower) => {
        const ring = new SampleRing(2 ** (capacityPower - 1));
        const model: [number, number][] = [];
        let time = 0;
        for (const step of steps) {
          if (step === -1) {
            ring.clear();
            model.length = 0;
            continue;
          }
          time += step;
          ring.push(time, time * 1.5);
          model.push([time, time * 1.5]);
          const older = ring.olderThan(time - 200);
          let expected = 0;
          while (expected < model.length - 1 && model[expected]![0] < time - 200) expected++;
          assert.equal(older, expected);
          ring.dropOldest(older);
          model.splice(0, older);
          assert.equal(ring.length, model.length);
          for (let i = 0; i < model.length; i++) {
            assert.equal(ring.time(i), model[i]![0]);
            assert.equal(ring.value(i), model[i]![1]);
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});
