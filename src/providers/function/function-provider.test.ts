import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { StatusError } from '../../api/errors.js';
import { everything, parseSelector } from '../../selector/index.js';
import { createManualClock } from './clock.js';
import { createFunctionProvider } from './function-provider.js';
import { value, variants } from './metric-value.js';

function setup(random = () => 0) {
  const clock = createManualClock(1_000_000);
  const provider = createFunctionProvider({ clock, random });
  const read = (namespace: string, name: string, selector = '') =>
    provider.getExternalMetric(namespace, selector === '' ? everything : parseSelector(selector), { metric: name });
  return { clock, provider, read };
}

const values = (list: readonly { value: string; metricLabels: Record<string, string> }[]) =>
  list.map((s) => [s.metricLabels, s.value]);
const isStatus = (code: number) => (error: unknown) => error instanceof StatusError && error.code === code;

describe('function provider: values and selection', () => {
  test('bad options and duplicates are TypeErrors at addMetric', () => {
    const { provider } = setup();
    assert.throws(() => provider.addMetric({ name: '' }, () => 1), TypeError);
    assert.throws(() => provider.addMetric({ name: 'a/b' }, () => 1), TypeError);
    assert.throws(() => provider.addMetric({ name: 'q', namespace: 'Not_A_Namespace' }, () => 1), /namespace/);
    assert.throws(() => provider.addMetric({ name: 'q', every: '15 seconds' }, () => 1), /every: invalid duration/);
    assert.throws(() => provider.addMetric({ name: 'q', every: -5 }, () => 1), /every/);
    assert.throws(() => provider.addMetric({ name: 'q', retry: { jitter: 2 } }, () => 1), /jitter/);
    provider.addMetric({ name: 'q' }, () => 1);
    assert.throws(() => provider.addMetric({ name: 'q' }, () => 2), /already registered/);
    provider.close();
  });

  test('without a selector a request gets the base value; with one, the matching variants', async () => {
    const { clock, provider, read } = setup();
    provider.addMetric({ name: 'queue' }, async () =>
      value(42)
        .withLabels({ region: 'eu' }, 40)
        .withLabels({ region: 'us' }, '1.5k')
        .withLabels({ region: 'ap', tier: 'gold' }, 0.25),
    );
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'queue')), [[{}, '42']]);
    assert.deepEqual(values(read('default', 'queue', 'region=eu')), [[{ region: 'eu' }, '40']]);
    assert.deepEqual(values(read('default', 'queue', 'region in (eu,us)')), [
      [{ region: 'eu' }, '40'],
      [{ region: 'us' }, '1500'],
    ]);
    assert.deepEqual(values(read('default', 'queue', 'region notin (eu,us)')), [
      [{ region: 'ap', tier: 'gold' }, '250m'],
    ]);
    assert.deepEqual(values(read('default', 'queue', 'tier')), [[{ region: 'ap', tier: 'gold' }, '250m']]);
    assert.deepEqual(values(read('default', 'queue', 'region=mars')), []);
    assert.equal(read('default', 'queue')[0]!.timestamp, 1_000_000);
    provider.close();
  });

  test('a result without a base value answers every variant to a request without a selector', async () => {
    const { clock, provider, read } = setup();
    provider.addMetric({ name: 'lag' }, () =>
      variants().withLabels({ topic: 'a' }, 1).withLabels({ topic: 'b' }, 2).withLabels({ topic: 'a' }, 3),
    );
    await clock.advance(0);
    assert.deepEqual(values(read('x', 'lag')), [
      [{ topic: 'b' }, '2'],
      [{ topic: 'a' }, '3'],
    ]);
    provider.close();
  });

  test("'*' is visible in every namespace, a namespaced metric only in its own, and shadows '*'", async () => {
    const { clock, provider, read } = setup();
    provider.addMetric({ name: 'jobs' }, () => 1);
    provider.addMetric({ name: 'jobs', namespace: 'team-a' }, () => 2);
    provider.addMetric({ name: 'team_only', namespace: 'team-a' }, () => 3);
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'jobs')), [[{}, '1']]);
    assert.deepEqual(values(read('team-a', 'jobs')), [[{}, '2']]);
    assert.deepEqual(values(read('team-a', 'team_only')), [[{}, '3']]);
    assert.throws(() => read('default', 'team_only'), isStatus(404));
    assert.throws(() => read('default', 'nope'), isStatus(404));
    assert.deepEqual(provider.listAllExternalMetrics(), [{ metric: 'jobs' }, { metric: 'team_only' }]);
    assert.equal(provider.listAllExternalMetrics(), provider.listAllExternalMetrics());
    provider.close();
  });

  test('a function returning an invalid value or label fails like one that throws', async () => {
    const { clock, provider, read } = setup();
    provider.addMetric({ name: 'bad_number' }, () => Number.NaN);
    provider.addMetric({ name: 'bad_label' }, () => value(1).withLabels({ 'bad key!': 'x' }, 2));
    provider.addMetric({ name: 'bad_quantity' }, () => '12 apples');
    await clock.advance(0);
    for (const name of ['bad_number', 'bad_label', 'bad_quantity'])
      assert.throws(() => read('default', name), isStatus(503), name);
    provider.close();
  });
});

describe('function provider: scheduling', () => {
  test('an interval metric runs at once and then every interval after the previous run', async () => {
    const { clock, provider } = setup();
    const runs: number[] = [];
    provider.addMetric({ name: 'm', every: '15s' }, () => {
      runs.push(clock.now() - 1_000_000);
      return runs.length;
    });
    await clock.advance(60_000);
    assert.deepEqual(runs, [0, 15_000, 30_000, 45_000, 60_000]);
    provider.close();
  });

  test('failures retry with capped exponential backoff and jitter, measured on the clock', async () => {
    for (const [random, expected] of [
      [() => 0, [0, 1000, 3000, 7000, 15_000, 25_000, 35_000]],
      // jitter 0.2 at random 0.5 stretches each delay by 10%, but never past the 10 s cap
      [() => 0.5, [0, 1100, 3300, 7700, 16_500, 26_500, 36_500]],
    ] as const) {
      const { clock, provider } = setup(random);
      const runs: number[] = [];
      const attempts: number[] = [];
      provider.addMetric({ name: 'm', every: '10s', retry: { initialDelay: '1s', jitter: 0.2 } }, ({ attempt }) => {
        runs.push(clock.now() - 1_000_000);
        attempts.push(attempt);
        throw new Error('back end down');
      });
      await clock.advance(36_500);
      assert.deepEqual(runs, expected);
      assert.deepEqual(attempts, [0, 1, 2, 3, 4, 5, 6]);
      provider.close();
    }
  });

  test('the last good value is served while refreshes fail, then 503 after the maximum staleness, and it recovers', async () => {
    const { clock, provider, read } = setup();
    let failing = false;
    let n = 0;
    provider.addMetric({ name: 'm', every: '10s', maxStaleness: '30s', retry: false }, () => {
      n++;
      if (failing) throw new Error('upstream timeout');
      return n;
    });
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'm')), [[{}, '1']]);
    failing = true;
    await clock.advance(30_000);
    assert.deepEqual(values(read('default', 'm')), [[{}, '1']], 'still fresh enough at exactly 30 s');
    await clock.advance(10_000);
    assert.throws(
      () => read('default', 'm'),
      (error: unknown) => {
        assert.ok(error instanceof StatusError);
        assert.equal(error.code, 503);
        assert.equal(error.reason, 'ServiceUnavailable');
        assert.doesNotMatch(error.message, /upstream timeout/, 'the cause stays out of the message');
        assert.match(String((error.cause as Error).message), /upstream timeout/);
        return true;
      },
    );
    failing = false;
    await clock.advance(10_000);
    assert.deepEqual(values(read('default', 'm')), [[{}, '6']]);
    provider.close();
  });

  test('before its first success a metric answers 503 at once, whether the function is failing or still running', async () => {
    const { clock, provider, read } = setup();
    provider.addMetric({ name: 'slow' }, () => new Promise(() => undefined));
    provider.addMetric({ name: 'broken' }, () => {
      throw 'not even an Error';
    });
    await clock.advance(0);
    assert.throws(() => read('default', 'slow'), /no value yet/);
    assert.throws(() => read('default', 'broken'), /function is failing/);
    provider.close();
  });

  test('runs never overlap: events during a run coalesce into one more run with the latest event', async () => {
    const { clock, provider, read } = setup();
    const trigger = new EventEmitter();
    let active = 0;
    let maxActive = 0;
    const seen: unknown[] = [];
    let release: () => void = () => undefined;
    provider.addMetric({ name: 'm', trigger, timeout: '1h' }, async ({ event }) => {
      active++;
      maxActive = Math.max(maxActive, active);
      seen.push(event);
      await new Promise<void>((resolve) => (release = resolve));
      active--;
      return seen.length;
    });
    await clock.advance(0);
    trigger.emit('change', 'a');
    trigger.emit('change', 'b');
    trigger.emit('change', 'c');
    await clock.advance(0);
    assert.deepEqual(seen, [undefined]);
    release();
    await clock.advance(0);
    assert.deepEqual(seen, [undefined, 'c']);
    release();
    await clock.advance(0);
    assert.equal(maxActive, 1);
    assert.deepEqual(values(read('default', 'm')), [[{}, '2']]);
    provider.close();
  });

  test('a hung function times out, its signal aborts, and no retry overlaps it while other metrics run on', async () => {
    const { clock, provider, read } = setup();
    const calls: number[] = [];
    let hung: { signal: AbortSignal; finish: () => void } | undefined;
    provider.addMetric(
      { name: 'hangs', every: '10s', timeout: '5s', retry: { initialDelay: '1s', jitter: 0 } },
      ({ signal }) => {
        calls.push(clock.now() - 1_000_000);
        return new Promise((resolve) => {
          hung = { signal, finish: () => resolve(7) };
        });
      },
    );
    let other = 0;
    provider.addMetric({ name: 'healthy', every: '10s' }, () => ++other);
    await clock.advance(20_000);
    assert.deepEqual(calls, [0], 'the retry waits for the hung run');
    assert.equal(hung?.signal.aborted, true);
    assert.match(String((hung?.signal.reason as Error | undefined)?.message), /timed out after 5000 ms/);
    assert.throws(() => read('default', 'hangs'), /function is failing/);
    assert.deepEqual(values(read('default', 'healthy')), [[{}, '3']]);
    hung!.finish();
    await clock.advance(0);
    assert.deepEqual(
      calls,
      [0, 20_000],
      'the wanted retry starts once the hung run settles; its late result is ignored',
    );
    assert.throws(() => read('default', 'hangs'), isStatus(503));
    hung!.finish();
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'hangs')), [[{}, '7']]);
    provider.close();
  });

  test('an async iterable trigger (a stream) runs the function per event, with the event', async () => {
    const { clock, provider, read } = setup();
    const stream = new PassThrough({ objectMode: true });
    provider.addMetric({ name: 'depth' }, ({ event }) => (event as { depth?: number } | undefined)?.depth ?? 0);
    provider.addMetric(
      { name: 'fed', trigger: stream },
      ({ event }) => (event as { depth?: number } | undefined)?.depth ?? 0,
    );
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'fed')), [[{}, '0']]);
    stream.write({ depth: 12 });
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'fed')), [[{}, '12']]);
    stream.write({ depth: 5 });
    await clock.advance(0);
    assert.deepEqual(values(read('default', 'fed')), [[{}, '5']]);
    provider.close();
    stream.end();
  });

  test('aborting the signal stops the function and removes the metric', async () => {
    const { clock, provider, read } = setup();
    const controller = new AbortController();
    let runs = 0;
    let lastSignal: AbortSignal | undefined;
    provider.addMetric({ name: 'm', every: '1s', signal: controller.signal }, ({ signal }) => {
      lastSignal = signal;
      return ++runs;
    });
    await clock.advance(2000);
    assert.equal(runs, 3);
    controller.abort();
    await clock.advance(10_000);
    assert.equal(runs, 3);
    assert.throws(() => read('default', 'm'), isStatus(404));
    assert.deepEqual(provider.listAllExternalMetrics(), []);
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(lastSignal?.aborted, false, 'a finished run is not aborted after the fact');
    const handle = provider.addMetric({ name: 'm', signal: AbortSignal.abort() }, () => 1);
    handle.remove();
    assert.equal(provider.size, 0, 'an already-aborted signal registers nothing');
  });
});
