/**
 * The `sysdig` back end: custom and external metrics from Sysdig Monitor's Data API (or its PromQL API with
 * prometheus-adapter rules, `mode: promql`), a drop-in for
 * k8s-sysdig-adapter (same `SDC_TOKEN` Secret, `SDC_ENDPOINT`, `CLUSTER_NAME`, HPA manifests), with the
 * metric list from Sysdig's metric descriptors or the config file.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import { sysdigConfigSchema, type SysdigConfig } from './config.js';

/** Sysdig's US-East SaaS region, k8s-sysdig-adapter's default; other regions and on-premises set `url`. */
export const defaultSysdigUrl = 'https://app.sysdigcloud.com';

/** `url`, else $SDC_ENDPOINT without the `/api/` k8s-sysdig-adapter wanted on it, else the default. */
export function resolveSysdigUrl(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const text = configured ?? env.SDC_ENDPOINT?.trim().replace(/\/api\/?$/, '') ?? defaultSysdigUrl;
  const url = new URL(text);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`the Sysdig URL ${text} must be https:// (or http://)`);
  return text.replace(/\/+$/, '');
}

const sysdigBackend: BackendFactory<SysdigConfig> = {
  name: 'sysdig',
  description: 'Sysdig Monitor (Data API, or PromQL with prometheus-adapter rules), token from $SDC_TOKEN or a file',
  configSchema: sysdigConfigSchema,
  flags: [
    {
      name: 'sysdig-url',
      value: '<url>',
      description: `Sysdig API URL of your region or on-premises install (default $SDC_ENDPOINT, else ${defaultSysdigUrl})`,
      configKey: 'url',
    },
    {
      name: 'sysdig-token-file',
      value: '<file>',
      description: 'file holding the Sysdig API token (default: the env var SDC_TOKEN)',
      configKey: 'tokenFile',
    },
    {
      name: 'sysdig-ca-file',
      value: '<file>',
      description: 'CA that signed the Sysdig API certificate (on-premises)',
      configKey: 'caFile',
    },
    {
      name: 'sysdig-timeout',
      value: '<duration>',
      description: 'deadline of one Sysdig query, retries included (default 10s)',
      configKey: 'timeout',
    },
    {
      name: 'sysdig-cluster-name',
      value: '<name>',
      description: 'kubernetes.cluster.name added to every scope (default $CLUSTER_NAME)',
      configKey: 'clusterName',
    },
  ],
  async create(config, _flags, deps): Promise<Backend> {
    const [
      { createUpstreamClient },
      { createTokenSource },
      { SysdigClient },
      { MetricCatalog },
      { SysdigDataProvider },
      promql,
    ] = await Promise.all([
      import('../http/upstream-client.js'),
      import('./token.js'),
      import('./sysdig-client.js'),
      import('./metric-catalog.js'),
      import('./data-provider.js'),
      import('./promql-mode.js'),
    ]);
    const url = resolveSysdigUrl(config.url);
    const token = await createTokenSource(config);
    let ca: string | undefined;
    if (config.caFile !== undefined) {
      try {
        ca = await readFile(config.caFile, 'utf8');
      } catch (error) {
        throw new Error(
          `cannot read the Sysdig CA file ${config.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    const timeoutMs = parseDuration(config.timeout);
    const clientFor = (base: string) =>
      createUpstreamClient({
        url: base,
        token,
        timeoutMs,
        userAgent: 'metrics-adapter-sysdig',
        ...(ca !== undefined ? { ca } : {}),
      });

    if (config.mode === 'promql' && config.promql !== undefined) {
      return promql.createSysdigPromqlBackend({
        url,
        token,
        caFile: config.caFile,
        timeout: config.timeout,
        section: config.promql,
        deps,
      });
    }

    const http = clientFor(url);
    const client = new SysdigClient({ http, timeoutMs });
    const catalog = new MetricCatalog({
      client,
      mapper: deps.resourceMapper,
      logger: deps.logger,
      configured: config.metrics,
      useDescriptors: config.discovery === 'descriptors',
    });
    // NB: the first descriptor listing is also the token check, so a bad token is one clear line at start.
    await catalog.refresh();
    const timer = setInterval(() => void catalog.refresh(), parseDuration(config.discoveryInterval));
    timer.unref();
    const clusterName = config.clusterName ?? (process.env.CLUSTER_NAME?.trim() || undefined);
    const provider = new SysdigDataProvider({
      client,
      catalog,
      mapper: deps.resourceMapper,
      config: { defaults: config.defaults, ...(clusterName !== undefined ? { clusterName } : {}) },
      ...(deps.objectLister !== undefined ? { objects: deps.objectLister } : {}),
    });
    deps.logger.info(
      { sysdig: url, discovery: config.discovery, ...(clusterName !== undefined ? { clusterName } : {}) },
      'sysdig back end ready',
    );
    return {
      custom: provider,
      external: provider,
      // NB: ready even while Sysdig fails: an unready pod leaves the Service, and the HPA would then see the
      // aggregator's bare 503 instead of ours, which names the cause (bad token, rate limit, outage).
      readiness: () => ({ ready: true }),
      health: () => {
        const error = catalog.error();
        return [
          {
            name: 'sysdig',
            kind: 'sysdig',
            ready: error === undefined,
            ...(error !== undefined ? { message: error } : {}),
            customMetrics: catalog.listCustom().length,
            externalMetrics: catalog.listExternal().length,
          },
        ];
      },
      async close() {
        clearInterval(timer);
        http.close();
      },
    };
  },
};

export default sysdigBackend;
