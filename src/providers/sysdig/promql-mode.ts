/**
 * `mode: promql`: Sysdig also answers Prometheus' HTTP API at `<url>/prometheus` with the same bearer token, so the
 * shared PromQL client, rules compiler, discovery and providers (`../promql/`) serve Sysdig unchanged. This file only
 * points them at Sysdig: base URL, token, CA, deadline; it holds no rules engine of its own.
 * @module
 */
import type { Backend, BackendDeps } from '../backend.js';
import type { SysdigPromqlConfig } from './config.js';

/** The path under the Sysdig URL where its PromQL-compatible API lives. */
export const promqlPathPrefix = '/prometheus';

/** The label Sysdig's PromQL API puts a series' Kubernetes namespace in. */
export const sysdigNamespaceLabel = 'kube_namespace_name';

export interface SysdigPromqlOptions {
  /** Sysdig's base URL, without `/prometheus`. */
  readonly url: string;
  /** The Sysdig API token, read on every request. */
  readonly token: () => Promise<string>;
  readonly caFile?: string | undefined;
  /** `sysdig.timeout`: the deadline of one PromQL call. */
  readonly timeout: string;
  readonly section: SysdigPromqlConfig;
  readonly deps: BackendDeps;
}

export async function createSysdigPromqlBackend(options: SysdigPromqlOptions): Promise<Backend> {
  const [{ createPrometheusClient }, { createPrometheusProviders }, { timingsOf }] = await Promise.all([
    import('../promql/client/index.js'),
    import('../promql/create-providers.js'),
    import('../promql/settings.js'),
  ]);
  const { section, deps } = options;
  const timings = timingsOf({
    timeout: options.timeout,
    metricsRelistInterval: section.metricsRelistInterval,
    metricsMaxAge: section.metricsMaxAge,
  });
  const client = createPrometheusClient({
    url: options.url + promqlPathPrefix,
    timeoutMs: timings.timeoutMs,
    bearerToken: options.token,
    name: "Sysdig's PromQL API",
    credentialsHint: 'check the Sysdig API token in the Secret (SDC_TOKEN or tokenFile)',
    ...(options.caFile !== undefined ? { auth: { caFile: options.caFile } } : {}),
    ...(section.verb !== undefined ? { verb: section.verb } : {}),
  });
  const inner = createPrometheusProviders({
    client,
    rules: section,
    timings,
    deps,
    name: 'sysdig',
    namespaceLabel: sysdigNamespaceLabel,
  });
  deps.logger.info({ sysdig: options.url + promqlPathPrefix, mode: 'promql' }, 'sysdig back end ready');
  return {
    ...inner,
    // NB: ready even before the first listing succeeds, as in data mode (index.ts): an unready pod leaves the
    // Service, and the HPA would see the aggregator's bare 503 instead of ours naming the cause (a bad token).
    readiness: () => ({ ready: true }),
    health: () => {
      const state = inner.readiness();
      return [
        {
          name: 'sysdig',
          kind: 'sysdig-promql',
          ready: state.ready,
          ...(state.message !== undefined ? { message: state.message } : {}),
          customMetrics: inner.custom?.listAllMetrics().length ?? 0,
          externalMetrics: inner.external?.listAllExternalMetrics().length ?? 0,
        },
      ];
    },
  };
}
