/**
 * The Prometheus back end runs the conformance suite against a fake of Prometheus' HTTP API
 * (test/helpers/fake-prometheus.ts) holding the fixture as series, with prometheus-adapter rules.
 */
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import {
  describeReadOnlyBackend,
  fixtureObjectLister,
  type OpenSubject,
} from '../../src/providers/conformance/index.js';
import prometheusBackend from '../../src/providers/prometheus/index.js';
import { proxyUpstream } from '../helpers/conformance-upstream.js';
import { startFakePrometheus } from '../helpers/fake-prometheus.js';
import { conformanceRules, seriesOf } from '../helpers/prometheus-fixture.js';

/** A Prometheus back end over the fake, reached through a proxy; `cluster` gives it the fixture's objects. */
function open(cluster: boolean): OpenSubject {
  return async (fixture) => {
    const prometheus = await startFakePrometheus(seriesOf(fixture));
    const upstream = await proxyUpstream(prometheus.port, /Prometheus/);
    const config = prometheusBackend.configSchema.parse({
      url: `http://127.0.0.1:${upstream.proxy.port}`,
      timeout: '3s',
      ...conformanceRules,
    });
    const deps = {
      logger: createSilentLogger(),
      resourceMapper: createStaticResourceMapper(),
      ...(cluster ? { objectLister: fixtureObjectLister(fixture) } : {}),
    };
    const backend = await prometheusBackend.create(config, {}, deps);
    const custom = backend.custom!;
    while (custom.listAllMetrics().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    return {
      custom,
      external: backend.external!,
      // NB: prometheus-adapter lists a metric for every resource a series has a label for: the namespace too.
      extraListed: [
        { groupResource: { group: '', resource: 'namespaces' }, namespaced: false, metric: 'http_requests' },
      ],
      stall: upstream.stall,
      unreachable: upstream.unreachable,
      async close() {
        await backend.close();
        await upstream.proxy.close();
        await prometheus.close();
      },
    };
  };
}

describeReadOnlyBackend('prometheus', { custom: true, external: true, unreachable: true }, open(false));
describeReadOnlyBackend('prometheus with a cluster', { custom: true, external: true, unreachable: true }, open(true));
