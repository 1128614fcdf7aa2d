/**
 * `metrics-adapter manifests` as chart values: the namespace, image, back end and the back end's `serve` flags
 * become the values of charts/metrics-adapter, and the chart renders the objects, so `manifests | kubectl apply -f -`
 * and `helm install` give the same Deployment, RBAC, APIServices and generated CA.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { dns1123LabelProblem } from '../api/names.js';
import { mergeValues, renderChart, type KubeObject } from './render-chart.js';

export type { KubeObject } from './render-chart.js';

export interface RenderManifestsOptions {
  readonly namespace: string;
  /** `repository:tag` or `repository@sha256:...`. */
  readonly image: string;
  /** Default: the config file's `backend:`, else memory; none with a routing config. */
  readonly backend?: string;
  readonly replicas?: number;
  /** The parsed `--config` file, embedded in the chart's ConfigMap. */
  readonly config?: Record<string, unknown>;
  /** `serve`'s back-end flags by name without dashes (`prometheus-url`); `true` for a flag without a value. */
  readonly backendFlags?: Readonly<Record<string, string | true>>;
  /** `--metric-ttl`, as given. */
  readonly metricTtl?: string;
  /** Register the opt-in resource metrics API (APIService v1beta1.metrics.k8s.io and its reader role). */
  readonly resourceMetrics?: boolean;
  /** A chart values file's content, merged over what the flags set. */
  readonly values?: Record<string, unknown>;
  /** Default: the package's charts/metrics-adapter. */
  readonly chartDir?: URL;
}

/** `.Release.Service` of objects rendered by `manifests`, in their app.kubernetes.io/managed-by label. */
export const manifestsReleaseService = 'metrics-adapter-manifests';

/**
 * Flags whose value has its own chart key; every other back-end flag goes to `extraArguments` as given (a flag
 * naming a file names it inside the pod: mount it with extraVolumes).
 */
const flagValues: Readonly<
  Record<string, (value: string | true, values: Record<string, unknown>) => Record<string, unknown>>
> = {
  'prometheus-url': (value) => ({ prometheus: { url: value, port: null, path: '' } }),
  'prometheus-timeout': (value) => ({ prometheus: { timeout: value } }),
  'prometheus-username': (value) => ({ prometheus: { auth: { username: value } } }),
  'prometheus-insecure-skip-tls-verify': () => ({ prometheus: { auth: { insecureSkipTLSVerify: true } } }),
  'metrics-relist-interval': (value) => ({ metricsRelistInterval: value }),
  'default-rules': () => ({ rules: { default: true } }),
  'redis-url': (value) => ({ redis: { url: value } }),
  'redis-sentinels': (value) => ({
    redis: {
      sentinels: String(value)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    },
  }),
  'redis-sentinel-master': (value) => ({ redis: { sentinelMaster: value } }),
  'redis-cluster': (value) => ({
    redis: {
      cluster: String(value)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    },
  }),
  'redis-min-replicas-to-ack': (value) => ({ redis: { minReplicasToAck: Number(value) } }),
  'redis-replica-ack-timeout': (value) => ({ redis: { replicaAckTimeout: value } }),
  'max-staleness': (value) => ({ redis: { maxStaleness: value } }),
  'sysdig-url': (value) => ({ sysdig: { url: value } }),
  'sysdig-cluster-name': (value) => ({ sysdig: { clusterName: value } }),
  'forward-url': (value) => ({ forward: { url: value } }),
};

/**
 * Files whose content, not path, goes into the manifests: a CA is public, and a path on this machine means nothing in
 * the pod.
 */
const embeddedFiles: Readonly<Record<string, (content: string) => Record<string, unknown>>> = {
  'forward-ca-file': (content) => ({ forward: { caBundle: content } }),
};

/** The chart values that `options` stand for. Throws RangeError for a value the chart cannot take. */
export async function manifestsValues(options: RenderManifestsOptions): Promise<Record<string, unknown>> {
  const problem = dns1123LabelProblem(options.namespace);
  if (problem !== undefined) throw new RangeError(`invalid namespace ${JSON.stringify(options.namespace)}: ${problem}`);
  const routing = options.config !== undefined && Object.hasOwn(options.config, 'backends');
  const fileBackend = typeof options.config?.backend === 'string' ? options.config.backend : undefined;
  let values: Record<string, unknown> = {
    createNamespace: true,
    image: imageValues(options.image),
    backend: routing ? '' : (options.backend ?? fileBackend ?? 'memory'),
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.metricTtl !== undefined ? { metricTTL: options.metricTtl } : {}),
    ...(options.resourceMetrics === true ? { resourceMetrics: { enabled: true } } : {}),
  };
  const extraArguments: string[] = [];
  for (const [name, value] of Object.entries(options.backendFlags ?? {})) {
    const embed = embeddedFiles[name];
    const set = flagValues[name];
    if (embed !== undefined && typeof value === 'string')
      values = mergeValues(values, embed(await readFile(value, 'utf8')));
    else if (set !== undefined) values = mergeValues(values, set(value, values));
    else extraArguments.push(value === true ? `--${name}` : `--${name}=${value}`);
  }
  if (extraArguments.length > 0) values.extraArguments = extraArguments;
  return options.values === undefined ? values : mergeValues(values, options.values);
}

/** The chart's objects for `options`, with a fresh CA and serving certificate. */
export async function renderManifests(options: RenderManifestsOptions): Promise<KubeObject[]> {
  const values = await manifestsValues(options);
  const { objects } = await renderChart({
    values,
    namespace: options.namespace,
    releaseService: manifestsReleaseService,
    ...(options.chartDir !== undefined ? { chartDir: options.chartDir } : {}),
  });
  return objects;
}

function imageValues(image: string): Record<string, string> {
  const at = image.indexOf('@');
  if (at > 0) return { repository: image.slice(0, at), digest: image.slice(at + 1), tag: '' };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/'))
    return { repository: image.slice(0, colon), tag: image.slice(colon + 1), digest: '' };
  return { repository: image, tag: 'latest', digest: '' };
}

/** Multi-document YAML, one object per document, as `kubectl apply -f -` reads it. */
export function formatManifests(objects: readonly KubeObject[], header: string): string {
  const comments = header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  return `${comments}\n${objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('')}`;
}
