import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createLogger } from '../log/index.js';
import type { QueryRunner } from '../providers/query-runner.js';
import { MetricQueryRegistry } from './metric-query-registry.js';
import { MetricQueryStatusLoop } from './status-loop.js';

function setup(objects: number, writesPerSecond: number) {
  let now = 1_000_000;
  const runner: QueryRunner = {
    language: 'promql',
    namespaceLabel: 'namespace',
    instant: async () => [{ labels: {}, timestamp: now, value: 7 }],
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
});
