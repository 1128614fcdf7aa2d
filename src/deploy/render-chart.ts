/**
 * Renders charts/metrics-adapter as `helm template` does, without helm: the chart's values.yaml with the caller's
 * values merged over it, every template run through the Go template renderer in ./template, the output split into
 * objects and put in Helm's install order. The chart is the one source of the deploy objects: `metrics-adapter
 * manifests` prints what this returns, and test/e2e/helm-chart.test.ts checks it against the real helm binary.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { parse, parseAllDocuments } from 'yaml';
import { parseTemplate, TemplateExecutor, templateFunctions, type TemplateNode } from './template/index.js';

/** A Kubernetes object as YAML gives it. */
export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export interface RenderChartOptions {
  /** Merged over the chart's values.yaml as `helm -f` merges a values file: maps deeply, `null` removes a key. */
  readonly values?: Readonly<Record<string, unknown>>;
  /** Default `metrics-adapter`, which names the objects `metrics-adapter`, `metrics-adapter-tls`, ... */
  readonly releaseName?: string;
  readonly namespace?: string;
  /** `.Release.Service`, shown as the app.kubernetes.io/managed-by label; Helm's is `Helm`. */
  readonly releaseService?: string;
  /** Default: the package's charts/metrics-adapter. */
  readonly chartDir?: URL;
}

export interface RenderedChart {
  readonly objects: KubeObject[];
  /** templates/NOTES.txt rendered. */
  readonly notes: string;
}

export const defaultChartDir = new URL('../../charts/metrics-adapter/', import.meta.url);

/** Helm's install order (pkg/release/util/kind_sorter.go), for the kinds a chart may render; others go last. */
const installOrder = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's coalescing of a values file over the chart's defaults. */
export function mergeValues(
  defaults: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(defaults) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === null) delete result[key];
    else if (isMap(value) && isMap(result[key])) result[key] = mergeValues(result[key], value);
    else result[key] = structuredClone(value);
  }
  return result;
}

/**
 * Throws TemplateError for a template the renderer cannot run, ChartValuesError for the chart's own `fail`/`required`.
 */
export async function renderChart(options: RenderChartOptions = {}): Promise<RenderedChart> {
  const dir = options.chartDir ?? defaultChartDir;
  const chart = parse(await readFile(new URL('Chart.yaml', dir), 'utf8')) as {
    name: string;
    version: string;
    appVersion?: string;
  };
  const defaults = (parse(await readFile(new URL('values.yaml', dir), 'utf8')) ?? {}) as Record<string, unknown>;
  const templatesDir = new URL('templates/', dir);
  const files = (await readdir(templatesDir)).sort();
  const parsed = new Map<string, TemplateNode[]>();
  const defines = new Map<string, TemplateNode[]>();
  for (const file of files) {
    const name = `${chart.name}/templates/${file}`;
    const template = parseTemplate(await readFile(new URL(file, templatesDir), 'utf8'), name);
    for (const [define, nodes] of template.defines) defines.set(define, nodes);
    parsed.set(file, template.nodes);
  }
  const executor = new TemplateExecutor(defines, templateFunctions, (source, file) => {
    const template = parseTemplate(source, file);
    for (const [define, nodes] of template.defines) defines.set(define, nodes);
    return template.nodes;
  });
  const namespace = options.namespace ?? 'default';
  const dot = {
    Values: mergeValues(defaults, options.values ?? {}),
    Release: {
      Name: options.releaseName ?? 'metrics-adapter',
      Namespace: namespace,
      Service: options.releaseService ?? 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? '' },
    Capabilities: { KubeVersion: { Version: 'v1.35.0', Major: '1', Minor: '35' } },
    Template: { BasePath: `${chart.name}/templates` },
  };
  const objects: KubeObject[] = [];
  let notes = '';
  for (const [file, nodes] of parsed) {
    if (file.startsWith('_')) continue;
    const text = await executor.render(nodes, dot, `${chart.name}/templates/${file}`);
    if (file === 'NOTES.txt') {
      notes = text;
      continue;
    }
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0)
        throw new Error(`${chart.name}/templates/${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as KubeObject | null;
      if (object !== null && object !== undefined) objects.push(object);
    }
  }
  return { objects: [...(await readCrds(dir)), ...sortForInstall(objects)], notes };
}

/** The chart's crds/ files, first, as `helm template --include-crds` prints them (helm install applies them first). */
async function readCrds(dir: URL): Promise<KubeObject[]> {
  const crdsDir = new URL('crds/', dir);
  let files: string[];
  try {
    files = (await readdir(crdsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return [];
  }
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(new URL(file, crdsDir), 'utf8'))) {
      const object = document.toJS() as KubeObject | null;
      if (object !== null && object !== undefined) objects.push(object);
    }
  }
  return objects;
}

function sortForInstall(objects: readonly KubeObject[]): KubeObject[] {
  const rank = (kind: string) => {
    const at = installOrder.indexOf(kind);
    return at < 0 ? installOrder.length : at;
  };
  // NB: Array.prototype.sort is stable, so objects of one kind keep the order the templates gave them.
  return [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));
}
