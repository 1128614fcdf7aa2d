/**
 * Builds the running Prometheus back end from its checked config: client, compiled rules, discovery, providers.
 * `createPrometheusProviders` is the part after the client, shared by every back end that speaks PromQL (Sysdig).
 * @module
 */
import type { Backend, BackendDeps } from '../backend.js';
import { createPrometheusClient, type PrometheusClient, type PrometheusClientOptions } from './client/index.js';
import type { PrometheusBackendConfig, PrometheusTimings } from './config-schema.js';
import { PrometheusCustomProvider, type PrometheusProviderDeps } from './custom-provider.js';
import { createDiscovery } from './discovery.js';
import { PrometheusExternalProvider } from './external-provider.js';
import { PrometheusResourceProvider } from './resource-provider.js';
import { compileRules, defaultRules } from './rules/index.js';
import { SeriesRegistry } from './series-registry.js';

export interface PrometheusProvidersOptions {
  /** Any server of Prometheus' HTTP API: Prometheus itself, or Sysdig's PromQL API. */
  readonly client: PrometheusClient;
  readonly rules: Pick<PrometheusBackendConfig, 'rules' | 'externalRules' | 'resourceRules'> & { readonly defaultRules?: boolean | undefined };
  readonly timings: PrometheusTimings;
  readonly deps: BackendDeps;
  /** The `backend` field of the log lines; default `prometheus`. */
  readonly name?: string;
}

/** Compiles the rules, starts discovery over `client` and returns the providers; `close()` stops discovery. */
export function createPrometheusProviders(options: PrometheusProvidersOptions): Backend {
  const { client, deps, timings } = options;
  const rules = compileRules([...(options.rules.defaultRules === true ? defaultRules : []), ...options.rules.rules ?? []], deps.resourceMapper, 'rules');
  const externalRules = compileRules(options.rules.externalRules ?? [], deps.resourceMapper, 'externalRules');
  const registry = new SeriesRegistry(deps.resourceMapper);
  const logger = deps.logger.child({ backend: options.name ?? 'prometheus' });
  const discovery = createDiscovery({ client, registry, rules, externalRules, relistIntervalMs: timings.relistIntervalMs, maxAgeMs: timings.maxAgeMs, logger });
  const providerDeps: PrometheusProviderDeps = {
    client, registry, discovery, mapper: deps.resourceMapper, logger, timeoutMs: timings.timeoutMs,
    ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
  };
  const resource = options.rules.resourceRules === undefined ? undefined : new PrometheusResourceProvider({
    client, rules: options.rules.resourceRules, mapper: deps.resourceMapper, logger,
    ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
  });
  discovery.start();
  return {
    ...(resource !== undefined ? { resource } : {}),
    ...(rules.length > 0 ? { custom: new PrometheusCustomProvider(providerDeps) } : {}),
    ...(externalRules.length > 0 ? { external: new PrometheusExternalProvider(providerDeps) } : {}),
    readiness: () => (registry.listed ? { ready: true } : { ready: false, message: 'the series of the rules are not listed from Prometheus yet' }),
    seriesCount: () => registry.seriesCount,
    async close() {
      discovery.stop();
    },
  };
}

export function createPrometheusBackend(
  config: PrometheusBackendConfig,
  clientOptions: PrometheusClientOptions,
  timings: PrometheusTimings,
  deps: BackendDeps,
): Backend {
  return createPrometheusProviders({ client: createPrometheusClient(clientOptions), rules: config, timings, deps });
}
