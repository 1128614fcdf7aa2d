import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createSilentLogger } from '../log/index.js';
import { createMemoryModel } from '../providers/memory/memory-model.js';
import { parseSelector } from '../selector/index.js';
import { HistogramAssembly, histogramPartOf } from './classic-histograms.js';
import type { IngestRule } from './ingest-config.js';
import { createIngestPipeline } from './ingest-pipeline.js';

const labels = { namespace: 'shop', pod: 'web-1' };

function setup(rules: IngestRule[]) {
  const mapper = createStaticResourceMapper();
  const model = createMemoryModel({ mapper, logger: createSilentLogger(), ttlMs: 0 });
  const pipeline = createIngestPipeline({
    writer: {
      writeCustomMetric: model.writeCustom,
      writeExternalMetric: model.writeExternal,
      writeBatch: model.writeBatch,
      removeSeries: model.removeSeries,
    },
    mapper,
    rules,
    sweepIntervalMs: 3_600_000,
  });
  /** Pushes one scrape of a classic histogram, its parts in `order` (indexes into buckets, then sum, count). */
  const scrape = async (
    timestampMs: number,
    buckets: Record<string, number>,
    sum: number,
    count: number,
    split = Number.POSITIVE_INFINITY,
  ) => {
    const parts: [string, Record<string, string>, number][] = [
      ...Object.entries(buckets).map(([le, v]): [string, Record<string, string>, number] => [
        'latency_bucket',
        { ...labels, le },
        v,
      ]),
      ['latency_sum', labels, sum],
      ['latency_count', labels, count],
    ];
    // NB: `split` sends the parts in two requests, as a sender's shards may.
    for (const chunk of [parts.slice(0, split), parts.slice(split)]) {
      if (chunk.length === 0) continue;
      const tx = pipeline.begin();
      for (const [name, partLabels, value] of chunk) {
        const key = JSON.stringify([name, partLabels]);
        tx.sample(
          tx.series(key, () => ({ name, labels: partLabels })),
          timestampMs,
          value,
        );
      }
      await tx.commit();
    }
  };
  const read = (metric: string) => {
    try {
      return model.custom
        .getMetricByName(
          { namespace: 'shop', name: 'web-1' },
          { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric },
          parseSelector(''),
        )
        .value.toString();
    } catch {
      return undefined;
    }
  };
  return { pipeline, scrape, read };
}

describe('classic histograms over remote-write', () => {
  const rules: IngestRule[] = [
    { seriesQuery: 'latency', type: 'histogram', name: { as: 'latency_mean' } },
    { seriesQuery: 'latency', name: { as: 'latency_p50' }, quantile: 0.5 },
  ];

  test('buckets, sum and count become one histogram: mean and quantile over their increases', async () => {
    const { pipeline, scrape, read } = setup(rules);
    await scrape(1000, { '1': 10, '2': 10, '+Inf': 10 }, 5, 10);
    // One sample: everything observed so far: 10 at or below 1, mean 0.5, p50 at 0.5 of (0, 1].
    assert.equal(read('latency_mean'), '500m');
    assert.equal(read('latency_p50'), '500m');
    // Then 4 more, all in (1, 2], summing to 6: mean 1.5; p50 is rank 2 of 4 in (1, 2].
    await scrape(2000, { '1': 10, '2': 14, '+Inf': 14 }, 11, 14);
    assert.equal(read('latency_mean'), '1500m');
    assert.equal(read('latency_p50'), '1500m');
    assert.equal(read('latency_bucket'), undefined);
    pipeline.close();
  });

  test('parts split over two requests are put together; nothing is served from a half', async () => {
    const { pipeline, scrape, read } = setup(rules);
    await scrape(1000, { '1': 4, '+Inf': 4 }, 2, 4, 1);
    assert.equal(read('latency_mean'), '500m');
    await scrape(2000, { '1': 4, '+Inf': 8 }, 10, 8, 2);
    assert.equal(read('latency_mean'), '2');
    pipeline.close();
  });

  test('a counter reset in the parts counts as rate() counts it', async () => {
    const { pipeline, scrape, read } = setup(rules);
    await scrape(1000, { '1': 10, '+Inf': 20 }, 30, 20);
    await scrape(2000, { '1': 2, '+Inf': 4 }, 8, 4);
    // NB: every part dropped, so each increase is its new value: 4 observations summing to 8.
    assert.equal(read('latency_mean'), '2');
    pipeline.close();
  });
});

describe('HistogramAssembly', () => {
  const part = (le: string) => histogramPartOf({ name: 'x_bucket', labels: { le } })!;
  const sum = histogramPartOf({ name: 'x_sum', labels: {} })!;
  const count = histogramPartOf({ name: 'x_count', labels: {} })!;

  test('a bucket that stops coming is forgotten once a later scrape starts', () => {
    const assembly = new HistogramAssembly();
    for (const [p, v] of [
      [part('1'), 1],
      [part('+Inf'), 2],
      [sum, 3],
      [count, 2],
    ] as const)
      assembly.add(p, 1000, v);
    assert.equal(assembly.take().length, 1);
    for (const [p, v] of [
      [part('+Inf'), 3],
      [sum, 4],
      [count, 3],
    ] as const)
      assembly.add(p, 2000, v);
    assert.deepEqual(assembly.take(), []);
    assembly.add(part('+Inf'), 3000, 4);
    const taken = assembly.take();
    assert.deepEqual(
      taken.map((t) => [t.timestampMs, t.sample.bounds, t.sample.counts]),
      [[2000, [], [3]]],
    );
  });

  test('what is not a part: a _bucket without le, an le that is no number, an OTLP series', () => {
    assert.equal(histogramPartOf({ name: 'x_bucket', labels: {} }), undefined);
    assert.equal(histogramPartOf({ name: 'x_bucket', labels: { le: 'big' } }), undefined);
    assert.equal(histogramPartOf({ name: 'x_sum', labels: {}, kind: 'gauge' }), undefined);
    assert.equal(histogramPartOf({ name: '_sum', labels: {} }), undefined);
  });
});
