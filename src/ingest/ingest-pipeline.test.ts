import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createSilentLogger } from '../log/index.js';
import { createMemoryModel } from '../providers/memory/memory-model.js';
import { parseSelector } from '../selector/index.js';
import { createIngestPipeline } from './ingest-pipeline.js';

function setup(maxAge: string) {
  const mapper = createStaticResourceMapper();
  const model = createMemoryModel({ mapper, logger: createSilentLogger(), ttlMs: 0 });
  let clock = 1_000_000;
  const pipeline = createIngestPipeline({
    writer: {
      writeCustomMetric: model.writeCustom,
      writeExternalMetric: model.writeExternal,
      writeBatch: model.writeBatch,
      removeSeries: model.removeSeries,
    },
    mapper,
    rules: [{ seriesQuery: '{__name__=~".+"}', maxAge }],
    now: () => clock,
    sweepIntervalMs: 3_600_000,
  });
  const push = async (pod: string, value: number) => {
    const tx = pipeline.begin();
    const series = tx.series(`queue_depth/${pod}`, () => ({ name: 'queue_depth', labels: { namespace: 'shop', pod } }));
    tx.sample(series, clock, value);
    await tx.commit();
  };
  const read = (pod: string) => {
    try {
      return model.custom
        .getMetricByName(
          { namespace: 'shop', name: pod },
          { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'queue_depth' },
          parseSelector(''),
        )
        .value.toString();
    } catch {
      return undefined;
    }
  };
  return { pipeline, push, read, advance: (ms: number) => (clock += ms) };
}

test('a series not pushed for its maxAge is dropped; one still pushed stays', async () => {
  const { pipeline, push, read, advance } = setup('1m');
  await push('web-1', 3);
  await push('web-2', 4);
  advance(40_000);
  await push('web-2', 5);
  advance(30_000);
  await pipeline.sweep();
  assert.equal(read('web-1'), undefined);
  assert.equal(read('web-2'), '5');
  assert.equal(pipeline.counts().series, 1);
  pipeline.close();
});

test('a dropped series pushed again is served again', async () => {
  const { pipeline, push, read, advance } = setup('10s');
  await push('web-1', 3);
  advance(11_000);
  await pipeline.sweep();
  assert.equal(read('web-1'), undefined);
  await push('web-1', 6);
  assert.equal(read('web-1'), '6');
  pipeline.close();
});
