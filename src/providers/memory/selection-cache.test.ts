/**
 * The memory stores answer a repeated query with the array they returned before while nothing it
 * depends on changed. These tests check that a reused answer is never stale: after any sequence of
 * writes, relabels, sweeps and clock steps, the store answers what a naive model of the same writes says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { parseQuantity } from '../../quantity/index.js';
import { everything, parseSelector } from '../../selector/index.js';
import type { CustomMetricInfo } from '../provider.js';
import { CustomStore } from './custom-store.js';
import { ExternalStore } from './external-store.js';
import { Interner } from './intern.js';
import { SelectionCache, selectionValuesPerMetric, selectionsPerMetric } from './selection-cache.js';

const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'http_requests',
};
const selectors = ['', 'app=web', 'app in (web,db)', 'app!=web', 'tier', '!tier', 'app=db,tier=x'];

test('a repeated selector query returns the same frozen array until a write changes it', async () => {
  const store = new CustomStore({ mapper: createStaticResourceMapper(), interner: new Interner(), ttlMs: 0 });
  const write = (name: string, value: string, labels?: Record<string, string>) =>
    store.write({
      info: pods,
      name: { namespace: 'ns', name },
      value: parseQuantity(value),
      metricLabels: {},
      objectLabels: labels,
      timestamp: 1_700_000_000_000,
    });
  write('p1', '1', { app: 'web' });
  const first = await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything);
  assert.ok(Object.isFrozen(first));
  assert.equal(await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything), first);
  write('p1', '2');
  const second = await store.getMetricBySelector('ns', parseSelector('app=web'), pods, everything);
  assert.notEqual(second, first);
  assert.deepEqual(
    second.map((v) => v.value),
    ['2'],
  );
});

test('an answer larger than the cache budget is computed anew each time, so the cache does not grow with the store', async () => {
  const store = new CustomStore({ mapper: createStaticResourceMapper(), interner: new Interner(), ttlMs: 0 });
  const overBudget = selectionValuesPerMetric + 1;
  for (let i = 0; i < overBudget; i++) {
    store.write({
      info: pods,
      name: { namespace: 'ns', name: `pod-${i}` },
      value: parseQuantity('1'),
      metricLabels: {},
      objectLabels: { app: i === 0 ? 'one' : 'many' },
      timestamp: 1_700_000_000_000,
    });
  }
  const all = await store.getMetricBySelector('ns', everything, pods, everything);
  assert.equal(all.length, overBudget);
  const again = await store.getMetricBySelector('ns', everything, pods, everything);
  assert.notEqual(again, all);
  assert.deepEqual(again, all);
  // NB: a small answer next to it is still kept.
  const one = await store.getMetricBySelector('ns', parseSelector('app=one'), pods, everything);
  assert.equal(await store.getMetricBySelector('ns', parseSelector('app=one'), pods, everything), one);
});

test('the selection cache evicts its oldest answers to stay within its value budget and answer count', () => {
  const cache = new SelectionCache<{ readonly values: readonly number[] }>();
  const half = { values: new Array<number>(selectionValuesPerMetric / 2).fill(0) };
  cache.set('a', half);
  cache.set('b', half);
  assert.equal(cache.get('a'), half);
  cache.set('c', { values: [1] });
  assert.equal(cache.get('a'), undefined, 'a is the oldest and c no longer fits beside a and b');
  assert.equal(cache.get('b'), half);
  cache.set('huge', { values: new Array<number>(selectionValuesPerMetric + 1).fill(0) });
  assert.equal(cache.get('huge'), undefined);
  assert.equal(cache.get('b'), half, 'an answer that is not kept evicts nothing');
  for (let i = 0; i < selectionsPerMetric; i++) cache.set(`k${i}`, { values: [i] });
  assert.equal(cache.get('b'), undefined);
  assert.deepEqual(cache.get(`k${selectionsPerMetric - 1}`)?.values, [selectionsPerMetric - 1]);
  assert.deepEqual(cache.get('k0')?.values, [0]);
  // Full by count and over budget: exactly the oldest answers that make room go.
  for (let i = 0; i < selectionsPerMetric; i++) cache.set(`full${i}`, { values: new Array<number>(100).fill(i) });
  cache.set('large', { values: new Array<number>(1000).fill(0) });
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => cache.get(`full${i}`) !== undefined),
    [false, false, true, true],
  );
});

test('property: the selection cache keeps what a list of its answers, oldest first, would keep', () => {
  /** The model: answers in the order they were kept; the oldest go first when the count or the budget is exceeded. */
  const model: { key: string; values: readonly number[] }[] = [];
  const keep = (key: string, values: readonly number[]): void => {
    const at = model.findIndex((entry) => entry.key === key);
    if (at >= 0) model.splice(at, 1);
    if (values.length > selectionValuesPerMetric) return;
    const held = () => model.reduce((sum, entry) => sum + entry.values.length, 0);
    while (model.length > 0 && held() + values.length > selectionValuesPerMetric) model.shift();
    if (model.length >= selectionsPerMetric) model.shift();
    model.push({ key, values });
  };
  // NB: mostly answers of 100 values, so the cache is often full by count when the budget runs out too.
  const big = selectionValuesPerMetric;
  const answerSize = fc.oneof(
    { arbitrary: fc.constant(100), weight: 30 },
    ...[0, 1, 1000, big / 4, big, big + 1].map((n) => ({ arbitrary: fc.constant(n), weight: 1 })),
  );
  fc.assert(
    fc.property(
      // NB: a key is mostly new (null), sometimes one of a few that repeat, so the cache fills up by count as well as
      // by budget.
      fc.array(fc.tuple(fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, fc.nat(20)), answerSize), {
        minLength: 1,
        maxLength: 300,
        // NB: fast-check's default size keeps arrays short; the cache only fills past 32 answers.
        size: 'max',
      }),
      (steps) => {
        model.length = 0;
        const cache = new SelectionCache<{ readonly values: readonly number[] }>();
        const seen = new Set<string>();
        steps.forEach(([repeated, size], i) => {
          const key = repeated === null ? `new-${i}` : `again-${repeated}`;
          const entry = { values: new Array<number>(size).fill(i) };
          cache.set(key, entry);
          keep(key, entry.values);
          seen.add(key);
          for (const k of seen) assert.equal(cache.get(k)?.values, model.find((e) => e.key === k)?.values, k);
        });
      },
    ),
  );
});

type Step =
  | {
      readonly kind: 'write';
      readonly pod: number;
      readonly value: number;
      readonly app?: string;
      readonly tier?: string;
      readonly relabel: boolean;
    }
  | { readonly kind: 'query'; readonly selector: string }
  | { readonly kind: 'tick'; readonly seconds: number }
  | { readonly kind: 'sweep' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('write' as const),
    pod: fc.nat(5),
    value: fc.nat(1000),
    app: fc.option(fc.constantFrom('web', 'db'), { nil: undefined }),
    tier: fc.option(fc.constant('x'), { nil: undefined }),
    relabel: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('query' as const), selector: fc.constantFrom(...selectors) }),
  fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('sweep' as const) }),
);

test('property: cached custom answers always equal a naive model of the writes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.constantFrom(0, 30_000), async (steps, ttlMs) => {
      const clock = { now: 1_700_000_000_000 };
      const store = new CustomStore({
        mapper: createStaticResourceMapper(),
        interner: new Interner(),
        ttlMs,
        now: () => clock.now,
      });
      const model = new Map<string, { value: string; ms: number; labels: Record<string, string> }>();
      for (const s of steps) {
        if (s.kind === 'tick') clock.now += s.seconds * 1000;
        else if (s.kind === 'sweep') {
          store.sweep();
        } else if (s.kind === 'write') {
          const name = `pod-${s.pod}`;
          const labels: Record<string, string> = {};
          if (s.app !== undefined) labels.app = s.app;
          if (s.tier !== undefined) labels.tier = s.tier;
          const previous = model.get(name);
          // NB: a write without objectLabels keeps the object's labels, as long as it still has a live series.
          const alive =
            previous !== undefined &&
            (ttlMs === 0 || Math.floor(previous.ms / 1000) >= Math.floor((clock.now - ttlMs) / 1000));
          const keepLabels = !s.relabel && alive;
          store.write({
            info: pods,
            name: { namespace: 'ns', name },
            value: parseQuantity(String(s.value)),
            metricLabels: {},
            objectLabels: keepLabels ? undefined : labels,
            timestamp: clock.now,
          });
          model.set(name, {
            value: parseQuantity(String(s.value)).toString(),
            ms: clock.now,
            labels: keepLabels ? previous.labels : labels,
          });
        } else {
          const selector = s.selector === '' ? everything : parseSelector(s.selector);
          const oldest = ttlMs > 0 ? Math.floor((clock.now - ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
          const expected = [...model]
            .filter(([, v]) => Math.floor(v.ms / 1000) >= oldest && selector.matches(v.labels))
            .map(([name, v]) => `${name}=${v.value}`)
            .sort();
          const answer = await store.getMetricBySelector('ns', selector, pods, everything);
          assert.deepEqual(
            answer.map((v) => `${v.describedObject.name}=${v.value}`).sort(),
            expected,
            `selector ${s.selector}`,
          );
        }
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: a relabel through one metric refreshes the cached answers of the others', async () => {
  const requests: CustomMetricInfo = { ...pods, metric: 'requests' };
  const latency: CustomMetricInfo = { ...pods, metric: 'latency' };
  const twoMetricStep = fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      metric: fc.constantFrom(requests, latency),
      pod: fc.nat(4),
      value: fc.nat(100),
      app: fc.constantFrom('web', 'db'),
    }),
    fc.record({
      kind: fc.constant('query' as const),
      metric: fc.constantFrom(requests, latency),
      selector: fc.constantFrom('app=web', 'app=db', 'app!=web'),
    }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(twoMetricStep, { maxLength: 40 }), async (steps) => {
      const store = new CustomStore({ mapper: createStaticResourceMapper(), interner: new Interner(), ttlMs: 0 });
      const labels = new Map<string, string>();
      const values = new Map<string, string>();
      for (const s of steps) {
        if (s.kind === 'write') {
          store.write({
            info: s.metric,
            name: { namespace: 'ns', name: `pod-${s.pod}` },
            value: parseQuantity(String(s.value)),
            metricLabels: {},
            objectLabels: { app: s.app },
            timestamp: 1_700_000_000_000,
          });
          labels.set(`pod-${s.pod}`, s.app);
          values.set(`${s.metric.metric}/pod-${s.pod}`, String(s.value));
        } else {
          const selector = parseSelector(s.selector);
          const expected = [...values]
            .filter(([key]) => key.startsWith(`${s.metric.metric}/`))
            .map(([key, value]) => [key.slice(s.metric.metric.length + 1), value] as const)
            .filter(([pod]) => selector.matches({ app: labels.get(pod)! }))
            .map(([pod, value]) => `${pod}=${value}`)
            .sort();
          const answer = await store.getMetricBySelector('ns', selector, s.metric, everything);
          assert.deepEqual(answer.map((v) => `${v.describedObject.name}=${v.value}`).sort(), expected);
        }
      }
    }),
    { numRuns: 1000 },
  );
});

test('property: cached external answers always equal a naive model of the writes, shadowing included', async () => {
  type ExternalStep =
    | { readonly kind: 'write'; readonly scope: 'ns' | 'global'; readonly queue: string; readonly value: number }
    | { readonly kind: 'query'; readonly namespace: 'ns' | 'other'; readonly selector: string }
    | { readonly kind: 'tick'; readonly seconds: number }
    | { readonly kind: 'sweep' };
  const externalStep: fc.Arbitrary<ExternalStep> = fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      scope: fc.constantFrom('ns' as const, 'global' as const),
      queue: fc.constantFrom('a', 'b', 'c'),
      value: fc.nat(100),
    }),
    fc.record({
      kind: fc.constant('query' as const),
      namespace: fc.constantFrom('ns' as const, 'other' as const),
      selector: fc.constantFrom('', 'queue=a', 'queue in (a,b)', 'queue!=c'),
    }),
    fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ kind: fc.constant('sweep' as const) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(externalStep, { maxLength: 60 }), fc.constantFrom(0, 30_000), async (steps, ttlMs) => {
      const clock = { now: 1_700_000_000_000 };
      const store = new ExternalStore({ interner: new Interner(), ttlMs, now: () => clock.now });
      const model = new Map<string, { value: string; ms: number }>();
      for (const s of steps) {
        if (s.kind === 'tick') clock.now += s.seconds * 1000;
        else if (s.kind === 'sweep') store.sweep();
        else if (s.kind === 'write') {
          store.write({
            namespace: s.scope === 'ns' ? 'ns' : null,
            metric: 'queue',
            labels: { queue: s.queue },
            value: parseQuantity(String(s.value)),
            timestamp: clock.now,
          });
          model.set(`${s.scope}/${s.queue}`, { value: String(s.value), ms: clock.now });
        } else {
          const selector = s.selector === '' ? everything : parseSelector(s.selector);
          const oldest = ttlMs > 0 ? Math.floor((clock.now - ttlMs) / 1000) : Number.NEGATIVE_INFINITY;
          const live = (key: string) => {
            const v = model.get(key);
            return v !== undefined && Math.floor(v.ms / 1000) >= oldest ? v : undefined;
          };
          const visible: string[] = [];
          let any = false;
          for (const queue of ['a', 'b', 'c']) {
            const own = s.namespace === 'ns' ? live(`ns/${queue}`) : undefined;
            const global = live(`global/${queue}`);
            if (own !== undefined || global !== undefined) any = true;
            const chosen = own ?? global;
            if (chosen !== undefined && selector.matches({ queue })) visible.push(`${queue}=${chosen.value}`);
          }
          let answer: string[] | 'not found';
          try {
            answer = store
              .getExternalMetric(s.namespace, selector, { metric: 'queue' })
              .map((v) => `${v.metricLabels.queue}=${v.value}`)
              .sort();
          } catch {
            answer = 'not found';
          }
          assert.deepEqual(answer, any ? visible.sort() : 'not found', `${s.namespace} ${s.selector}`);
        }
      }
    }),
    { numRuns: 1000 },
  );
});

test('a limited read (the status page) returns at most its limit, and leaves the cache alone', async () => {
  const store = new CustomStore({ mapper: createStaticResourceMapper(), interner: new Interner(), ttlMs: 0 });
  for (let i = 0; i < 100; i++) {
    store.write({
      info: pods,
      name: { namespace: 'ns', name: `p${i}` },
      value: parseQuantity(String(i)),
      metricLabels: {},
      objectLabels: { app: 'web' },
      timestamp: 1_700_000_000_000,
    });
  }
  const ctx = { signal: new AbortController().signal, limit: 5 };
  const limited = await store.getMetricBySelector('ns', everything, pods, everything, ctx);
  assert.equal(limited.length, 5);
  assert.equal(Object.isFrozen(limited), false, 'not the cached kind of answer');
  const full = await store.getMetricBySelector('ns', everything, pods, everything);
  assert.equal(full.length, 100);
  assert.equal(
    await store.getMetricBySelector('ns', everything, pods, everything),
    full,
    'the full answer is cached as before',
  );

  const external = new ExternalStore({ interner: new Interner(), ttlMs: 0 });
  for (let i = 0; i < 30; i++)
    external.write({
      namespace: 'ns',
      metric: 'queue',
      labels: { q: `q${i}` },
      value: parseQuantity('1'),
      timestamp: 1_700_000_000_000,
    });
  assert.equal(external.getExternalMetric('ns', everything, { metric: 'queue' }, ctx).length, 5);
  assert.equal(external.getExternalMetric('ns', everything, { metric: 'queue' }).length, 30);
});
