/**
 * The compact layout against a real redis-server: random sequences of writes (objects relabelled, scopes growing past
 * a bucket split, external series) read back exactly, after a TTL sweep at a random cutoff too; and an upgrade from
 * the layout before keeps its values.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import type { Labels } from '../../src/api/types.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import type { CustomMetricWrite, ExternalMetricWrite } from '../../src/providers/write.js';
import { createMemoryModel } from '../../src/providers/memory/memory-model.js';
import redisBackend from '../../src/providers/redis/index.js';
import { createKeys, packLabels } from '../../src/providers/redis/layout.js';
import { loadInto } from '../../src/providers/redis/load.js';
import { sweepOnce } from '../../src/providers/redis/sweep.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const logger = createSilentLogger();
const deps = { logger, resourceMapper: createStaticResourceMapper() };
const baseTime = 1_700_000_000_000;

let redis: RedisServer | undefined;
let client: Redis | undefined;
if (binary !== undefined) {
  before(async () => {
    redis = await startRedisServer(binary);
    client = new Redis(redis.url);
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });
}

const freshPrefix = (): string => `prop-${randomBytes(4).toString('hex')}:`;
const backend = (prefix: string): Promise<Backend> =>
  redisBackend.create(redisBackend.configSchema.parse({ url: redis!.url, keyPrefix: prefix }), {}, deps);

const scopes = [
  { namespace: 'a', group: '', resource: 'pods' },
  { namespace: 'b', group: 'apps', resource: 'deployments' },
  { namespace: '', group: '', resource: 'nodes' },
] as const;
const smallLabels = fc.dictionary(fc.constantFrom('app', 'tier', 'x,y', 'z=1'), fc.string({ maxLength: 6 }), {
  maxKeys: 2,
  noNullPrototype: true,
});
const customOp = fc.record({
  kind: fc.constant('custom' as const),
  // NB: most writes go to one scope and metric, so that scope grows past 64 and 128 series and its hashes split.
  scope: fc.constantFrom(0, 0, 0, 0, 1, 2),
  metric: fc.constantFrom('m1', 'm1', 'm1', 'm2'),
  object: fc.nat(299),
  value: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  metricLabels: smallLabels,
  objectLabels: fc.option(smallLabels, { nil: undefined }),
});
const externalOp = fc.record({
  kind: fc.constant('external' as const),
  namespace: fc.constantFrom(null, 'a'),
  labels: smallLabels,
  value: fc.integer({ min: 0, max: 1000 }),
});
type Op = typeof customOp extends fc.Arbitrary<infer T> ? T : never;
type ExternalOp = typeof externalOp extends fc.Arbitrary<infer T> ? T : never;

function customWrite(op: Op, timestamp: number): CustomMetricWrite {
  const scope = scopes[op.scope]!;
  return {
    info: {
      groupResource: { group: scope.group, resource: scope.resource },
      namespaced: scope.namespace !== '',
      metric: op.metric,
    },
    name: { namespace: scope.namespace, name: `o-${op.object}` },
    value: parseQuantity(String(op.value)),
    metricLabels: op.metricLabels,
    objectLabels: op.objectLabels,
    timestamp,
  };
}

const externalWrite = (op: ExternalOp, timestamp: number): ExternalMetricWrite => ({
  namespace: op.namespace,
  metric: 'q',
  labels: op.labels,
  value: parseQuantity(String(op.value)),
  timestamp,
});

interface Plain {
  value: string;
  timestamp: number;
  metricLabels?: Labels;
  objectLabels?: Labels | undefined;
  labels?: Labels;
}

const customId = (w: CustomMetricWrite): string =>
  JSON.stringify([
    w.name.namespace,
    w.info.groupResource.group,
    w.info.groupResource.resource,
    w.info.metric,
    w.name.name,
  ]);
const objectId = (w: CustomMetricWrite): string =>
  JSON.stringify([w.name.namespace, w.info.groupResource.group, w.info.groupResource.resource, w.name.name]);
const externalId = (w: ExternalMetricWrite): string => JSON.stringify([w.namespace, w.metric, packLabels(w.labels)]);

/** What the memory back end's semantics say is stored after `writes`, with fields older than `cutoff` swept. */
function expected(writes: readonly (CustomMetricWrite | ExternalMetricWrite)[], cutoff: number): Map<string, Plain> {
  const objectLabels = new Map<string, Labels>();
  const last = new Map<string, CustomMetricWrite | ExternalMetricWrite>();
  for (const write of writes) {
    if ('info' in write) {
      if (write.objectLabels !== undefined) objectLabels.set(objectId(write), write.objectLabels);
      last.set(customId(write), write);
    } else {
      last.set(externalId(write), write);
    }
  }
  const out = new Map<string, Plain>();
  for (const [id, write] of last) {
    if (write.timestamp < cutoff) continue;
    out.set(
      id,
      'info' in write
        ? {
            value: write.value.toString(),
            timestamp: write.timestamp,
            metricLabels: write.metricLabels,
            objectLabels: objectLabels.get(objectId(write)),
          }
        : { value: write.value.toString(), timestamp: write.timestamp, labels: write.labels },
    );
  }
  return out;
}

/** Every value stored under `prefix`, read by the same code a replica loads with. */
async function stored(prefix: string): Promise<Map<string, Plain>> {
  const model = createMemoryModel({ mapper: createStaticResourceMapper(), logger, ttlMs: 0 });
  const out = new Map<string, Plain>();
  const recording = {
    ...model,
    writeCustom(write: CustomMetricWrite) {
      out.set(customId(write), {
        value: write.value.toString(),
        timestamp: write.timestamp,
        metricLabels: write.metricLabels,
        objectLabels: write.objectLabels,
      });
    },
    writeExternal(write: ExternalMetricWrite) {
      out.set(externalId(write), { value: write.value.toString(), timestamp: write.timestamp, labels: write.labels });
    },
  };
  await loadInto(client!, createKeys(prefix), recording, { logger, oldestMs: Number.NEGATIVE_INFINITY });
  return out;
}

describe('redis compact layout', { skip }, () => {
  test('reads back exactly what was written, through relabels, bucket splits and a TTL sweep', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ arbitrary: customOp, weight: 4 }, { arbitrary: externalOp, weight: 1 }), {
          minLength: 1,
          maxLength: 700,
          size: 'max',
        }),
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        async (ops, cut, concurrency) => {
          const prefix = freshPrefix();
          const b = await backend(prefix);
          try {
            const writes = ops.map((op, i) =>
              op.kind === 'custom' ? customWrite(op, baseTime + i * 1000) : externalWrite(op, baseTime + i * 1000),
            );
            // NB: `concurrency` writes in flight at once go to Redis together, in the order they were made.
            for (let i = 0; i < writes.length; i += concurrency) {
              await Promise.all(
                writes
                  .slice(i, i + concurrency)
                  .map((w) => ('info' in w ? b.writer!.writeCustomMetric(w) : b.writer!.writeExternalMetric(w))),
              );
            }
            assert.deepEqual(await stored(prefix), expected(writes, Number.NEGATIVE_INFINITY));
            const cutoff = baseTime + (cut % writes.length) * 1000;
            await sweepOnce(client!, createKeys(prefix), cutoff);
            assert.deepEqual(await stored(prefix), expected(writes, cutoff));
          } finally {
            await b.close();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  test('a replica started on the layout before moves its values into the compact one', async () => {
    const prefix = freshPrefix();
    const ctx = { signal: new AbortController().signal };
    await client!.set(
      `${prefix}c:${JSON.stringify(['ha', '', 'pods', 'rps', 'web-1'])}`,
      JSON.stringify({ k: 'c', ns: 'ha', g: '', r: 'pods', m: 'rps', n: 'web-1', v: '3', ml: {}, t: Date.now() }),
    );
    await client!.set(`${prefix}o:${JSON.stringify(['ha', '', 'pods', 'web-1'])}`, JSON.stringify({ app: 'web' }));
    await client!.set(
      `${prefix}e:${JSON.stringify([null, 'queue', 'q=a'])}`,
      JSON.stringify({ k: 'e', ns: null, m: 'queue', l: { q: 'a' }, v: '7', t: Date.now() }),
    );
    const b = await backend(prefix);
    try {
      const info = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'rps' };
      const selected = await b.custom!.getMetricBySelector(
        'ha',
        (await import('../../src/selector/index.js')).parseSelector('app=web'),
        info,
        everything,
        ctx,
      );
      assert.deepEqual(
        selected.map((v) => [v.describedObject.name, v.value]),
        [['web-1', '3']],
      );
      const [queue] = await b.external!.getExternalMetric('default', everything, { metric: 'queue' }, ctx);
      assert.equal(queue?.value, '7');
      const left = (await client!.keys(`${prefix}*`)).filter((k) =>
        /:[coe]:/.test(k.slice(prefix.length - 1, prefix.length + 2)),
      );
      assert.deepEqual(left, [], 'the old keys are gone');
      const again = await stored(prefix);
      assert.equal(again.size, 2, 'and their values are in the compact layout');
    } finally {
      await b.close();
    }
  });
});
