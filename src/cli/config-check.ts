/**
 * `metrics-adapter config check FILE [--prometheus-url URL]`: checks a config (one back end or `backends:`) or a
 * prometheus-adapter rules file as `serve` would, and with a Prometheus URL lists the metrics each rule discovers and runs one sample query per rule,
 * so a rule that finds nothing or that Prometheus refuses shows up before deployment.
 * @module
 */
import type { Command } from 'commander';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import type { BackendFactory } from '../providers/backend.js';
import { createPrometheusClient } from '../providers/prometheus/client/index.js';
import { clientOptionsOf, timingsOf, type PrometheusBackendConfig } from '../providers/prometheus/config-schema.js';
import { compileRules, type CompiledRule } from '../providers/prometheus/rules/index.js';
import { SeriesRegistry } from '../providers/prometheus/series-registry.js';
import { loadAllBackends, loadBackend } from '../providers/registry.js';
import { isRoutingConfig, parseRoutingConfig } from '../routing/routing-config.js';
import { everything } from '../selector/index.js';
import { backendConfigFrom, backendFlagsGiven, addBackendFlags } from './backend-flags.js';
import { CliError } from './cli-error.js';
import { readConfigFile, validateConfig, type ConfigSource } from './config-file.js';
import { backendSectionOf, ingestSectionOf } from './config-sections.js';

/** NB: validation needs a URL; this one is only a stand-in and is never called. */
const placeholderUrl = 'http://127.0.0.1:9';

/** Adds `config check` to `program`. */
export function addConfigCommand(program: Command, factories: readonly BackendFactory<unknown>[]): Command {
  const config = program.command('config').description('work with config files').exitOverride().configureOutput({ outputError: () => undefined });
  addBackendFlags(
    config
      .command('check <file>')
      .description('check a config file or a prometheus-adapter rules file; with --prometheus-url, try each rule against Prometheus')
      .option('--backend <name>', 'the back end the file is for (default: its backend key, else prometheus)')
      .exitOverride()
      .configureOutput({ outputError: () => undefined }),
    factories.filter((factory) => factory.name === 'prometheus'),
  ).action(async (file: string, flags: Record<string, unknown>) => {
    const ok = await checkConfig(file, flags, (line) => process.stdout.write(`${line}\n`));
    if (!ok) throw new CliError('some rules failed against Prometheus (see above)', 1);
  });
  return config;
}

/** Prints what it finds through `print`; resolves false when a live check failed. Throws CliError for an invalid file. */
export async function checkConfig(file: string, flags: Record<string, unknown>, print: (line: string) => void): Promise<boolean> {
  const source = await readConfigFile(file);
  const data = source.data as Record<string, unknown>;
  const factories = await loadAllBackends();
  if (isRoutingConfig(data)) return checkRoutingConfig(file, source, factories, flags, print);
  const chosen = (flags.backend as string | undefined) ?? (typeof data.backend === 'string' ? data.backend : 'prometheus');
  const { backendName, section, source: located } = backendSectionOf(source, factories, chosen);
  const factory = await loadBackend(backendName);
  const fileUrl = (section as { url?: unknown } | undefined)?.url;
  const live = flags.prometheusUrl !== undefined || typeof fileUrl === 'string';
  const withUrl = live || backendName !== 'prometheus' ? flags : { ...flags, prometheusUrl: placeholderUrl };
  const checked = backendConfigFrom(factory, factories, withUrl, located, section);
  ingestSectionOf(source);
  if (backendName !== 'prometheus') {
    print(`${file}: valid for the ${backendName} back end`);
    return true;
  }
  return checkPrometheus(file, checked as PrometheusBackendConfig, live, print);
}

/**
 * The multi-back-end form (`backends:`), parsed exactly as `serve --config` parses it; each
 * prometheus back end's rules are then checked as a single file's are, live when its entry has a url.
 */
async function checkRoutingConfig(file: string, source: ConfigSource, factories: readonly BackendFactory<unknown>[], flags: Record<string, unknown>, print: (line: string) => void): Promise<boolean> {
  if (flags.backend !== undefined) throw new CliError(`--backend cannot be used with a config file that lists backends (${file}); each entry names its kind`);
  const given = backendFlagsGiven(factories, flags);
  if (given !== undefined) throw new CliError(`${given} cannot be used with a config file that lists backends (${file}); set it in that back end's entry`);
  const spec = parseRoutingConfig(source.data, (schema, value, path) => validateConfig(source, schema, value, path), factories);
  const names = spec.backends.map((b) => `${b.name} (${b.factory.name})`).join(', ');
  print(`${file}: valid: ${plural(spec.backends.length, 'back end')}: ${names}; ${plural(spec.routes.length, 'route')}, ${plural(spec.freshness.length, 'freshness rule')}`);
  let ok = true;
  for (const backend of spec.backends) {
    if (backend.factory.name !== 'prometheus') continue;
    const config = backend.config as PrometheusBackendConfig;
    // NB: an entry always has its url (the schema requires it), so each is tried live, as a single file with a url is.
    ok = (await checkPrometheus(`backends.${backend.name}`, config, true, print)) && ok;
  }
  return ok;
}

async function checkPrometheus(label: string, config: PrometheusBackendConfig, live: boolean, print: (line: string) => void): Promise<boolean> {
  const mapper = createStaticResourceMapper();
  const rules = compileRules(config.rules ?? [], mapper, 'rules');
  const externalRules = compileRules(config.externalRules ?? [], mapper, 'externalRules');
  print(`${label}: valid: ${plural(rules.length, 'rule')}, ${plural(externalRules.length, 'external rule')}`);
  if (!live) return true;
  const client = createPrometheusClient(clientOptionsOf(config));
  const startMs = Date.now() - timingsOf(config).maxAgeMs;
  let ok = true;
  for (const [rule, external] of [...rules.map((r) => [r, false] as const), ...externalRules.map((r) => [r, true] as const)]) {
    print(`${rule.id}: ${rule.seriesQuery}`);
    try {
      ok = (await checkRule(rule, external, client, startMs, mapper, print)) && ok;
    } catch (error) {
      print(`  error: ${(error as Error).message}`);
      ok = false;
    }
  }
  return ok;
}

async function checkRule(
  rule: CompiledRule,
  external: boolean,
  client: ReturnType<typeof createPrometheusClient>,
  startMs: number,
  mapper: ReturnType<typeof createStaticResourceMapper>,
  print: (line: string) => void,
): Promise<boolean> {
  const series = await client.series([rule.seriesQuery], startMs);
  const registry = new SeriesRegistry(mapper);
  registry.set(external ? [] : [{ rule, series }], external ? [{ rule, series }] : []);
  const metrics = external
    ? registry.listAllExternalMetrics().map((m) => m.metric)
    : registry.listAllMetrics().map((m) => `${m.groupResource.group === '' ? m.groupResource.resource : `${m.groupResource.resource}.${m.groupResource.group}`}/${m.metric}`).sort();
  print(`  series: ${series.length}; discovers: ${metrics.length === 0 ? 'nothing (check seriesQuery, seriesFilters, name and resources)' : metrics.join(', ')}`);
  if (metrics.length === 0) return true;
  let query: string;
  if (external) {
    const metric = registry.listAllExternalMetrics()[0]!.metric;
    query = rule.query.buildExternal({ series: registry.findExternal(metric)!.seriesName, namespace: 'default', metricSelector: everything });
  } else {
    // NB: a pods metric is what an HPA asks for most, so it makes the most telling sample.
    const infos = registry.listAllMetrics();
    const info = infos.find((i) => i.groupResource.group === '' && i.groupResource.resource === 'pods') ?? infos.find((i) => i.namespaced) ?? infos[0]!;
    const entry = registry.findCustom(info.groupResource, info.metric)!;
    const namespaceLabel = rule.resources.labelForResource({ group: '', resource: 'namespaces' }) ?? 'namespace';
    const namespace = info.namespaced ? series.find((labels) => labels.__name__ === entry.seriesName)?.[namespaceLabel] ?? '' : '';
    query = rule.query.buildCustom({ series: entry.seriesName, resource: info.groupResource, namespace, metricSelector: everything }).query;
  }
  print(`  query: ${query}`);
  const result = await client.query(query);
  if (result.resultType !== 'vector' && result.resultType !== 'scalar') {
    print(`  error: the query gives a ${result.resultType}; it must give an instant vector`);
    return false;
  }
  const count = result.resultType === 'vector' ? result.samples.length : 1;
  print(`  result: ${plural(count, 'sample')}`);
  return true;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
