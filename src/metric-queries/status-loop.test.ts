import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createLogger } from '../log/index.js';
import type { QueryRunner } from '../providers/query-runner.js';
import { MetricQueryRegistry } from './metric-query-registry.js';
import { MetricQueryStatusLoop } from './status-loop.js';

function setup(
  objects: number,
  writesPerSecond: number,
  extra: { isLeader?: () => boolean; concurrency?: number } = {},
) {
  let now = 1_000_000;
  let queries = 0;
  const runner: QueryRunner = {
    language: 'promql',
    namespaceLabel: 'namespace',
    instant: async () => (queries++, [{ labels: {}, timestamp: now, value: 7 }]),
  };
  const mapper = createStaticResourceMapper();
  const registry = new MetricQueryRegistry(
    { backends: (name) => (name === 'prom' ? { kind: 'prometheus', queries: runner } : undefined), mapper },
    () => now,
  );
  const patches: { path: string; at: number; body: unknown }[] = [];
  const loop = new MetricQueryStatusLoop({
    registry,
    mapper,
    logger: createLogger({ format: 'json', verbosity: 0 }),
    writesPerSecond,
    evaluateEveryMs: 1000,
    minValueWriteIntervalMs: 60_000,
    client: { mergePatch: async <T>(path: string, body: unknown) => (patches.push({ path, at: now, body }), {} as T) },
    now: () => now,
    activeWindowMs: 60_000,
    ...extra,
  });
  for (let i = 0; i < objects; i++) {
    registry.upsert({
      metadata: { name: `m-${i}`, namespace: `ns-${i % 7}`, uid: `u-${i}`, generation: 1 },
      spec: { backend: i % 10 === 9 ? 'nope' : 'prom', query: 'sum(q{<<.LabelMatchers>>})' },
    });
  }
  return {
    registry,
    loop,
    patches,
    advance: (ms: number) => (now += ms),
    get queries() {
      return queries;
    },
    get now() {
      return now;
    },
  };
}

describe('MetricQuery status loop', () => {
  test('with 1,000 objects the PATCH rate never exceeds the token bucket, in any second', async () => {
    const s = setup(1000, 10);
    const start = s.now;
    for (let i = 0; i < 50; i++) {
      s.loop.tick();
      await tick();
      s.advance(100);
    }
    const seconds = (s.now - start) / 1000;
    assert.ok(s.patches.length > 0);
    assert.ok(s.patches.length <= 10 * seconds + 10, `${s.patches.length} writes in ${seconds}s`);
    for (let second = 0; second < seconds; second++) {
      const inSecond = s.patches.filter(
        (p) => p.at >= start + second * 1000 && p.at < start + (second + 1) * 1000,
      ).length;
      assert.ok(inSecond <= 20, `${inSecond} writes in second ${second}`);
    }
    const invalid = s.patches
      .filter((p) => p.path.includes('/m-9/'))
      .map((p) => p.body as { status: { conditions: { type: string; reason: string }[] } });
    assert.equal(invalid[0]?.status.conditions[0]?.reason, 'UnknownBackend', 'an invalid object gets its reason');
  });

  test('an unchanged status is not written again; a new value alone waits for the minimum interval', async () => {
    const s = setup(1, 100);
    for (let i = 0; i < 30; i++) {
      s.loop.tick();
      await tick();
      s.advance(100);
    }
    const bodies = s.patches.map(
      (p) =>
        (p.body as { status: { currentValue: string | null; conditions: { type: string; status: string }[] } }).status,
    );
    assert.equal(bodies.at(-1)?.currentValue, '7');
    assert.equal(bodies.at(-1)?.conditions.find((c) => c.type === 'Valid')?.status, 'True');
    assert.ok(
      s.patches.length <= 3,
      `${s.patches.length} writes for one object in 3s: NotEvaluated, then valid with its value`,
    );
  });

  test('a replica that does not lead runs no query and writes no status, only its reads, once per half window', async () => {
    let leading = false;
    const s = setup(3, 100, { isLeader: () => leading });
    const entry = s.registry.get('ns-0', 'm-0')!;
    for (let i = 0; i < 100; i++) {
      entry.lastReadAt = s.now;
      s.loop.tick();
      await tick();
      s.advance(1000);
    }
    assert.equal(s.queries, 0);
    const bodies = s.patches.map((p) => p.body as { status: Record<string, unknown> });
    assert.ok(
      bodies.every((b) => Object.keys(b.status).join() === 'lastReadTime'),
      'nothing but lastReadTime is written',
    );
    assert.ok(
      s.patches.every((p) => p.path.includes('/m-0/')),
      'only for the object that was read',
    );
    // NB: 100 s of reads with a 60 s window: a move at the start, then every 30 s.
    assert.ok(s.patches.length >= 3 && s.patches.length <= 4, `${s.patches.length} lastReadTime writes in 100 s`);

    leading = true;
    for (let i = 0; i < 5; i++) {
      s.loop.tick();
      await tick();
      s.advance(200);
    }
    assert.ok(s.queries > 0, 'once it leads, it runs the queries');
    const last = s.patches.findLast((p) => p.path.includes('/m-0/'))!.body as {
      status: { conditions?: { type: string; status: string }[] };
    };
    assert.equal(last.status.conditions?.find((c) => c.type === 'Active')?.status, 'True');
  });

  test('a new leader does not write Valid=Unknown over a Valid status before its first evaluation', async () => {
    const s = setup(0, 100, { concurrency: 0 });
    s.registry.upsert({
      metadata: { name: 'kept', namespace: 'ns', uid: 'u', generation: 2 },
      spec: { backend: 'prom', query: 'sum(q{<<.LabelMatchers>>})' },
      status: {
        observedGeneration: 2,
        currentValue: '7',
        conditions: [
          {
            type: 'Valid',
            status: 'True',
            reason: 'QueryValid',
            message: 'ok',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'Active',
            status: 'False',
            reason: 'NotRead',
            message: 'no',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
    });
    for (let i = 0; i < 10; i++) {
      s.loop.tick();
      await tick();
      s.advance(200);
    }
    assert.equal(s.patches.length, 0);
  });

  test('when more objects are due than run at once, every one is evaluated in turn', async () => {
    const s = setup(40, 100, { concurrency: 1 });
    for (let i = 0; i < 200; i++) {
      s.loop.tick();
      await tick();
      s.advance(200);
    }
    const valid = new Set(
      s.patches
        .filter((p) =>
          (p.body as { status: { conditions: { type: string; status: string }[] } }).status.conditions.some(
            (c) => c.type === 'Valid' && c.status === 'True',
          ),
        )
        .map((p) => p.path),
    );
    assert.equal(valid.size, 36, 'every valid object (4 of 40 name an unknown back end)');
  });
});
