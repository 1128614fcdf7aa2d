/**
 * OTLP/HTTP end to end with the OpenTelemetry JS SDK as the sender: a counter, a gauge and a histogram exported
 * over TLS to `metrics-adapter serve` (memory back end, no rules written), once with the protobuf exporter and
 * cumulative temporality (pod web-1), once with the JSON exporter and delta temporality (pod web-2), read back with
 * a real kubectl 1.35. The expected rates are computed from the points the exporters were handed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { parseQuantity } from '../../src/quantity/index.js';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';

const kubectl = await findKubectl();

/** An exporter that remembers what it was handed, then sends it. */
function recording(exporter: PushMetricExporter, sent: ResourceMetrics[]): PushMetricExporter {
  return {
    export(metrics, done) {
      exporter.export(metrics, (result) => {
        sent.push(metrics);
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
    ...(exporter.selectAggregationTemporality
      ? { selectAggregationTemporality: exporter.selectAggregationTemporality.bind(exporter) }
      : {}),
  };
}

/** The counter `orders` as the exporter sent it: (time in ms, running total) of each export. */
function counterPoints(sent: readonly ResourceMetrics[], delta: boolean): [number, number][] {
  let total = 0;
  return sent.flatMap((batch) =>
    batch.scopeMetrics.flatMap((scope) =>
      scope.metrics
        .filter((m) => m.descriptor.name === 'orders')
        .flatMap((m) =>
          m.dataPoints.map((point) => {
            const [seconds, nanos] = point.endTime;
            total = delta ? total + (point.value as number) : (point.value as number);
            return [seconds * 1000 + nanos / 1e6, total] as [number, number];
          }),
        ),
    ),
  );
}

describe('OTLP/HTTP from the OpenTelemetry SDK', {
  skip: kubectl === undefined ? 'kubectl 1.35 is not available' : false,
}, () => {
  let adapter: AdapterProcess;
  const providers: MeterProvider[] = [];

  const value = async (path: string): Promise<number | undefined> => {
    const result = await kubectlGetRaw(kubectl!, { server: adapter.url, caFile: adapter.caFile, path });
    if (result.code !== 0) return undefined;
    const parsed = JSON.parse(result.stdout) as { value?: string; items?: { value: string }[] };
    const text = parsed.value ?? parsed.items?.[0]?.value;
    return text === undefined ? undefined : Number(parseQuantity(text).nano) / 1e9;
  };

  before(async () => {
    adapter = await startAdapter();
  });

  after(async () => {
    for (const provider of providers) await provider.shutdown().catch(() => undefined);
    await adapter?.stop();
  });

  for (const variant of [
    { pod: 'web-1', exporter: 'protobuf', delta: false },
    { pod: 'web-2', exporter: 'JSON', delta: true },
  ]) {
    test(`${variant.exporter} exporter, ${variant.delta ? 'delta' : 'cumulative'} temporality: a counter's rate, a gauge, a histogram's mean`, async () => {
      const ca = await readFile(adapter.caFile);
      const options = {
        url: `${adapter.url}/v1/metrics`,
        httpAgentOptions: { ca },
        temporalityPreference: variant.delta
          ? AggregationTemporalityPreference.DELTA
          : AggregationTemporalityPreference.CUMULATIVE,
      };
      const sent: ResourceMetrics[] = [];
      const exporter = recording(
        variant.exporter === 'protobuf' ? new ProtoExporter(options) : new JsonExporter(options),
        sent,
      );
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({
          'service.name': 'shop-web',
          'k8s.namespace.name': 'shop',
          'k8s.pod.name': variant.pod,
          'k8s.deployment.name': 'web',
        }),
        readers: [reader],
      });
      providers.push(provider);
      const meter = provider.getMeter('e2e');
      const orders = meter.createCounter('orders');
      const temperature = meter.createGauge('temperature');
      const latency = meter.createHistogram('latency', { unit: 's' });

      orders.add(10);
      temperature.record(21.5);
      for (const seconds of [0.1, 0.2, 0.3]) latency.record(seconds);
      await reader.forceFlush();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      orders.add(30);
      temperature.record(19.25);
      latency.record(0.6);
      await reader.forceFlush();

      const base = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/${variant.pod}`;
      const points = counterPoints(sent, variant.delta);
      assert.equal(points.length, 2, 'two exports of the counter');
      const [[t1, v1], [t2, v2]] = points as [[number, number], [number, number]];
      assert.deepEqual([v1, v2], [10, 40]);
      const expectedRate = (v2 - v1) / ((t2 - t1) / 1000);
      const rate = await value(`${base}/orders_per_second`);
      assert.ok(
        rate !== undefined && Math.abs(rate - expectedRate) < 1e-6 * expectedRate,
        `orders_per_second ${rate}, expected ${expectedRate}`,
      );
      assert.equal(await value(`${base}/temperature`), 19.25);
      // NB: over the window the histogram gained one observation of 0.6 s: its mean is 0.6.
      assert.equal(await value(`${base}/latency`), 0.6);
    });
  }

  test('the deployment named by k8s.deployment.name gets the sum over its pods', async () => {
    const web1 = await value('/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1/orders_per_second');
    const web2 = await value('/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-2/orders_per_second');
    const deployment = await value(
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/deployments.apps/web/orders_per_second',
    );
    assert.ok(web1 !== undefined && web2 !== undefined && deployment !== undefined);
    assert.ok(Math.abs(deployment - (web1 + web2)) < 1e-6, `deployment ${deployment}, pods ${web1} + ${web2}`);
  });
});
