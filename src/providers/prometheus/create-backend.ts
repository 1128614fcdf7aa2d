/**
 * Builds the running Prometheus back end from its checked config: client, compiled rules, discovery, providers.
 * @module
 */
import type { Backend, BackendDeps } from '../backend.js';
import { createPrometheusClient, type PrometheusClientOptions } from './client/index.js';
import type { PrometheusBackendConfig, PrometheusTimings } from './config-schema.js';
import { PrometheusCustomProvider, type PrometheusProviderDeps } from './custom-provider.js';
import { createDiscovery } from './discovery.js';
import { PrometheusExternalProvider } from './external-provider.js';
import { compileRules } from './rules/index.js';
import { SeriesRegistry } from './series-registry.js';

export function createPrometheusBackend(
  config: PrometheusBackendConfig,
  clientOptions: PrometheusClientOptions,
  timings: PrometheusTimings,
  deps: BackendDeps,
): Backend {
  const client = createPrometheusClient(clientOptions);
  const rules = compileRules(config.rules ?? [], deps.resourceMapper, 'rules');
  const externalRules = compileRules(config.externalRules ?? [], deps.resourceMapper, 'externalRules');
  const registry = new SeriesRegistry(deps.resourceMapper);
  const logger = deps.logger.child({ backend: 'prometheus' });
  const discovery = createDiscovery({ client, registry, rules, externalRules, relistIntervalMs: timings.relistIntervalMs, maxAgeMs: timings.maxAgeMs, logger });
  const providerDeps: PrometheusProviderDeps = {
    client, registry, discovery, mapper: deps.resourceMapper, logger, timeoutMs: timings.timeoutMs,
    ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
  };
  discovery.start();
  return {
    ...(rules.length > 0 ? { custom: new PrometheusCustomProvider(providerDeps) } : {}),
    ...(externalRules.length > 0 ? { external: new PrometheusExternalProvider(providerDeps) } : {}),
    readiness: () => (registry.listed ? { ready: true } : { ready: false, message: 'the series of the rules are not listed from Prometheus yet' }),
    seriesCount: () => registry.seriesCount,
    async close() {
      discovery.stop();
    },
  };
}
