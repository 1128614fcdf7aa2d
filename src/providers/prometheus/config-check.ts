/**
 * `config check` for the Prometheus back end: the rules compile, and with a Prometheus URL each rule lists the
 * metrics it discovers and runs one sample query, so a rule that finds nothing or that Prometheus refuses shows up
 * before deployment.
 * @module
 */
import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { everything } from '../../selector/index.js';
import { createPrometheusClient } from '../promql/client/index.js';
import { timingsOf } from '../promql/settings.js';
import { clientOptionsOf, type PrometheusBackendConfig } from './config-schema.js';
import { compileRules, type CompiledRule } from '../promql/rules/index.js';
import { SeriesRegistry } from '../promql/series-registry.js';

export async function checkPrometheusConfig(
  label: string,
  config: PrometheusBackendConfig,
  live: boolean,
  print: (line: string) => void,
): Promise<boolean> {
  const mapper = createStaticResourceMapper();
  const rules = compileRules(config.rules ?? [], mapper, 'rules');
  const externalRules = compileRules(config.externalRules ?? [], mapper, 'externalRules');
  print(`${label}: valid: ${plural(rules.length, 'rule')}, ${plural(externalRules.length, 'external rule')}`);
  if (!live) return true;
  const client = createPrometheusClient(clientOptionsOf(config));
  const startMs = Date.now() - timingsOf(config).maxAgeMs;
  let ok = true;
  for (const [rule, external] of [
    ...rules.map((r) => [r, false] as const),
    ...externalRules.map((r) => [r, true] as const),
  ]) {
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
    : registry
        .listAllMetrics()
        .map(
          (m) =>
            `${m.groupResource.group === '' ? m.groupResource.resource : `${m.groupResource.resource}.${m.groupResource.group}`}/${m.metric}`,
        )
        .sort();
  print(
    `  series: ${series.length}; discovers: ${metrics.length === 0 ? 'nothing (check seriesQuery, seriesFilters, name and resources)' : metrics.join(', ')}`,
  );
  if (metrics.length === 0) return true;
  let query: string;
  if (external) {
    const metric = registry.listAllExternalMetrics()[0]!.metric;
    query = rule.query.buildExternal({
      series: registry.findExternal(metric)!.seriesName,
      namespace: 'default',
      metricSelector: everything,
    });
  } else {
    // NB: a pods metric is what an HPA asks for most, so it makes the most telling sample.
    const infos = registry.listAllMetrics();
    const info =
      infos.find((i) => i.groupResource.group === '' && i.groupResource.resource === 'pods') ??
      infos.find((i) => i.namespaced) ??
      infos[0]!;
    const entry = registry.findCustom(info.groupResource, info.metric)!;
    const namespaceLabel = rule.resources.labelForResource({ group: '', resource: 'namespaces' }) ?? 'namespace';
    const namespace = info.namespaced
      ? (series.find((labels) => labels.__name__ === entry.seriesName)?.[namespaceLabel] ?? '')
      : '';
    query = rule.query.buildCustom({
      series: entry.seriesName,
      resource: info.groupResource,
      namespace,
      metricSelector: everything,
    }).query;
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
