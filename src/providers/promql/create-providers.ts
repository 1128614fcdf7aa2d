/**
 * What every back end that speaks PromQL builds once it has a client of Prometheus' HTTP API: compiled rules,
 * discovery, and the custom, external and resource providers (the Prometheus back end, and Sysdig's `mode: promql`).
 * @module
 */
import type { Backend, BackendDeps } from '../backend.js';
import type { PrometheusClient } from './client/index.js';
import { PrometheusCustomProvider, type PrometheusProviderDeps } from './custom-provider.js';
import { createDiscovery } from './discovery.js';
import { PrometheusExternalProvider } from './external-provider.js';
import { createPromQLRunner } from './promql-runner.js';
import { PrometheusResourceProvider } from './resource-provider.js';
import { compileRules, defaultRules, type DiscoveryRule, type ResourceRules } from './rules/index.js';
import { SeriesRegistry } from './series-registry.js';
import type { PrometheusTimings } from './settings.js';

export interface PrometheusProvidersOptions {
  /** Any server of Prometheus' HTTP API: Prometheus itself, or Sysdig's PromQL API. */
  readonly client: PrometheusClient;
  readonly rules: {
    readonly rules?: readonly DiscoveryRule[] | null | undefined;
    readonly externalRules?: readonly DiscoveryRule[] | null | undefined;
    readonly resourceRules?: ResourceRules | undefined;
    readonly defaultRules?: boolean | undefined;
  };
  readonly timings: PrometheusTimings;
  readonly deps: BackendDeps;
  /** The `backend` field of the log lines; default `prometheus`. */
  readonly name?: string;
  /** The series label holding the Kubernetes namespace, for MetricQuery objects; default `namespace`. */
  readonly namespaceLabel?: string;
}

/** Compiles the rules, starts discovery over `client` and returns the providers; `close()` stops discovery. */
export function createPrometheusProviders(options: PrometheusProvidersOptions): Backend {
  const { client, deps, timings } = options;
  const rules = compileRules(
    [...(options.rules.defaultRules === true ? defaultRules : []), ...(options.rules.rules ?? [])],
    deps.resourceMapper,
    'rules',
  );
  const externalRules = compileRules(options.rules.externalRules ?? [], deps.resourceMapper, 'externalRules');
  const registry = new SeriesRegistry(deps.resourceMapper);
  const logger = deps.logger.child({ backend: options.name ?? 'prometheus' });
  const discovery = createDiscovery({
    client,
    registry,
    rules,
    externalRules,
    relistIntervalMs: timings.relistIntervalMs,
    maxAgeMs: timings.maxAgeMs,
    logger,
  });
  const providerDeps: PrometheusProviderDeps = {
    client,
    registry,
    discovery,
    mapper: deps.resourceMapper,
    logger,
    timeoutMs: timings.timeoutMs,
    ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
  };
  const resource =
    options.rules.resourceRules === undefined
      ? undefined
      : new PrometheusResourceProvider({
          client,
          rules: options.rules.resourceRules,
          mapper: deps.resourceMapper,
          logger,
          ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
        });
  discovery.start();
  return {
    ...(resource !== undefined ? { resource } : {}),
    ...(rules.length > 0 ? { custom: new PrometheusCustomProvider(providerDeps) } : {}),
    ...(externalRules.length > 0 ? { external: new PrometheusExternalProvider(providerDeps) } : {}),
    queries: createPromQLRunner(client, options.namespaceLabel ?? 'namespace'),
    readiness: () =>
      registry.listed
        ? { ready: true }
        : { ready: false, message: 'the series of the rules are not listed from Prometheus yet' },
    seriesCount: () => registry.seriesCount,
    async close() {
      discovery.stop();
    },
  };
}
