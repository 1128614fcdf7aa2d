/**
 * Builds the running Prometheus back end from its checked config: the client, the shared PromQL providers
 * (`../promql/`), and a reachability watch for readiness.
 * @module
 */
import type { Backend, BackendDeps } from '../backend.js';
import { createPrometheusClient, type PrometheusClientOptions } from '../promql/client/index.js';
import { createPrometheusProviders } from '../promql/create-providers.js';
import { watchReachability } from '../promql/reachability.js';
import type { PrometheusTimings } from '../promql/settings.js';
import type { PrometheusBackendConfig } from './config-schema.js';

export function createPrometheusBackend(
  config: PrometheusBackendConfig,
  clientOptions: PrometheusClientOptions,
  timings: PrometheusTimings,
  deps: BackendDeps,
): Backend {
  const client = createPrometheusClient(clientOptions);
  const backend = createPrometheusProviders({ client, rules: config, timings, deps });
  const reachability = watchReachability(client, reachabilityIntervalMs, deps.logger.child({ backend: 'prometheus' }));
  return {
    ...backend,
    readiness: () => {
      const reached = reachability.readiness();
      return reached.ready ? backend.readiness() : reached;
    },
    async close() {
      reachability.stop();
      await backend.close();
    },
  };
}

/** How often readiness asks whether Prometheus answers. */
const reachabilityIntervalMs = 1000;
