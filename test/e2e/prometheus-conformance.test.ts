/**
 * The conformance suite against a real Prometheus: the fixture served by an exporter that Prometheus scrapes every
 * second, read through a TCP proxy that can hold or cut it. The same rules as the run against the fake
 * (test/conformance/prometheus.test.ts), so the fake is checked against the real thing.
 */
import { test } from 'node:test';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import { describeReadOnlyBackend } from '../../src/providers/conformance/index.js';
import prometheusBackend from '../../src/providers/prometheus/index.js';
import { proxyUpstream } from '../helpers/conformance-upstream.js';
import { startExporter } from '../helpers/exporter.js';
import { conformanceRules, seriesOf } from '../helpers/prometheus-fixture.js';
import { findPrometheus, startPrometheus } from '../helpers/prometheus-process.js';

const binary = await findPrometheus();

if (binary === undefined) {
  test('prometheus back end: conformance against a real Prometheus', { skip: 'prometheus is not installed' }, () => {});
} else {
  describeReadOnlyBackend(
    'prometheus (real Prometheus)',
    { custom: true, external: true, unreachable: true },
    async (fixture) => {
      const series = seriesOf(fixture).map(({ labels: { __name__: name, ...labels }, value }) => ({
        name: name!,
        labels,
        value,
        type: 'gauge' as const,
      }));
      const exporter = await startExporter(series);
      const prometheus = await startPrometheus(binary, [exporter.target]);
      const upstream = await proxyUpstream(Number(new URL(prometheus.url).port), /Prometheus/);
      const config = prometheusBackend.configSchema.parse({
        url: `http://127.0.0.1:${upstream.proxy.port}`,
        timeout: '3s',
        metricsRelistInterval: '1s',
        ...conformanceRules,
      });
      const backend = await prometheusBackend.create(
        config,
        {},
        { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() },
      );
      const custom = backend.custom!;
      const external = backend.external!;
      // NB: the first scrape and the relist after it land within a few seconds; wait until every metric is listed.
      const deadline = AbortSignal.timeout(20_000);
      while (custom.listAllMetrics().length < 3 || external.listAllExternalMetrics().length < 1) {
        deadline.throwIfAborted();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return {
        custom,
        external,
        extraListed: [
          { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'http_requests' },
        ],
        stall: upstream.stall,
        unreachable: upstream.unreachable,
        async close() {
          await backend.close();
          await upstream.proxy.close();
          await prometheus.close();
          await exporter.close();
        },
      };
    },
  );
}
