import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceUnavailable, StatusError } from '../api/errors.js';
import { FreshnessKeeper, type FreshQuery, type Timestamped } from './freshness.js';
import type { FreshnessRule, OnMissing } from './routing-config.js';

interface Item extends Timestamped {
  readonly value: string;
}

function rule(onMissing: OnMissing, maxAgeMs = 60_000): FreshnessRule {
  return { matches: () => true, maxAgeMs, onMissing };
}

function setup() {
  let now = 1_000_000;
  const keeper = new FreshnessKeeper(() => now);
  let answer: () => readonly Item[] = () => [];
  const query = (overrides: Partial<FreshQuery<Item>> = {}): FreshQuery<Item> => ({
    api: 'external',
    metric: 'queue',
    key: 'q',
    fetch: async () => answer(),
    zero: () => [{ timestamp: now, value: '0' }],
    ...overrides,
  });
  return {
    keeper,
    query,
    at: (ms: number) => (now = ms),
    get now() {
      return now;
    },
    answers: (next: () => readonly Item[]) => (answer = next),
  };
}

describe('freshness rules', () => {
  test('an answer with no rule passes through untouched, stale values included', async () => {
    const s = setup();
    s.answers(() => [{ timestamp: 0, value: 'old' }]);
    assert.deepEqual(await s.keeper.answer(undefined, s.query()), [{ timestamp: 0, value: 'old' }]);
  });

  test('error: values older than maxAge are dropped; a named value that is only stale is a 404 naming its age', async () => {
    const s = setup();
    s.answers(() => [
      { timestamp: s.now - 120_000, value: 'old' },
      { timestamp: s.now - 1_000, value: 'new' },
    ]);
    assert.deepEqual(await s.keeper.answer(rule('error'), s.query()), [{ timestamp: s.now - 1_000, value: 'new' }]);
    s.answers(() => [{ timestamp: s.now - 120_000, value: 'old' }]);
    assert.deepEqual(await s.keeper.answer(rule('error'), s.query()), [], 'a list query answers an empty list');
    const stale = (ageMs: number) => new StatusError(404, 'NotFound', `stale by ${ageMs}`);
    await assert.rejects(s.keeper.answer(rule('error'), s.query({ stale })), /stale by 120000/);
  });

  test('error: a failing back end fails the request', async () => {
    const s = setup();
    s.answers(() => {
      throw serviceUnavailable('down');
    });
    await assert.rejects(
      s.keeper.answer(rule('error'), s.query()),
      (e: unknown) => e instanceof StatusError && e.code === 503,
    );
  });

  test('last: serves the last good answer while it is younger than maxAge, then fails as the back end does', async () => {
    const s = setup();
    const written = s.now;
    s.answers(() => [{ timestamp: written, value: '7' }]);
    assert.deepEqual(await s.keeper.answer(rule('last'), s.query()), [{ timestamp: written, value: '7' }]);
    s.answers(() => {
      throw serviceUnavailable('down');
    });
    s.at(written + 59_000);
    assert.deepEqual(await s.keeper.answer(rule('last'), s.query()), [{ timestamp: written, value: '7' }]);
    s.answers(() => []);
    assert.deepEqual(
      await s.keeper.answer(rule('last'), s.query()),
      [{ timestamp: written, value: '7' }],
      'an empty answer counts as missing',
    );
    assert.deepEqual(
      await s.keeper.answer(rule('last'), s.query({ key: 'other' })),
      [],
      'answers are remembered per query',
    );
    s.at(written + 61_000);
    s.answers(() => {
      throw serviceUnavailable('down');
    });
    await assert.rejects(
      s.keeper.answer(rule('last'), s.query()),
      (e: unknown) => e instanceof StatusError && e.code === 503,
    );
  });

  test('zero: a missing value becomes 0, but a failing back end stays an error', async () => {
    const s = setup();
    s.answers(() => []);
    assert.deepEqual(await s.keeper.answer(rule('zero'), s.query()), [{ timestamp: s.now, value: '0' }]);
    s.answers(() => {
      throw new StatusError(404, 'NotFound', 'no such value');
    });
    assert.deepEqual(await s.keeper.answer(rule('zero'), s.query()), [{ timestamp: s.now, value: '0' }]);
    s.answers(() => {
      throw serviceUnavailable('down');
    });
    await assert.rejects(
      s.keeper.answer(rule('zero'), s.query()),
      (e: unknown) => e instanceof StatusError && e.code === 503,
    );
    s.answers(() => []);
    assert.deepEqual(
      await s.keeper.answer(rule('zero'), s.query({ zero: () => undefined })),
      [],
      'no zero where there is nothing to give it to',
    );
  });

  test('the age gauge shows the oldest value of the last answer per metric', async () => {
    const s = setup();
    s.answers(() => [
      { timestamp: s.now - 30_000, value: '1' },
      { timestamp: s.now - 5_000, value: '2' },
    ]);
    await s.keeper.answer(rule('error'), s.query());
    s.at(s.now + 10_000);
    assert.match(s.keeper.render(), /^metrics_adapter_metric_value_age_seconds\{api="external",metric="queue"\} 40$/m);
  });
});
