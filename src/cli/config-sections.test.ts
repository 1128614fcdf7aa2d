import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllBackends, loadBackend } from '../providers/registry.js';
import type { BackendFactory } from '../providers/backend.js';
import { backendConfigFrom } from './backend-flags.js';
import { CliError } from '../serving/cli-error.js';
import { readConfigFile } from './config-file.js';
import { backendSectionOf } from './config-sections.js';

// docs/config-walkthrough.md, final form, and docs/externalmetrics.md of prometheus-adapter, unchanged.
const peerFile = `rules:
- seriesQuery: 'http_requests_total{kubernetes_namespace!="",kubernetes_pod_name!=""}'
  resources:
    overrides:
      kubernetes_namespace: {resource: "namespace"}
      kubernetes_pod_name: {resource: "pod"}
  name:
    matches: "^(.*)_total"
    as: "\${1}_per_second"
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
externalRules:
- seriesQuery: '{__name__="queue_depth",name!=""}'
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)
  resources:
    namespaced: false
`;

// The resourceRules of prometheus-adapter's docs/config.md and deploy/manifests, unchanged in form.
const resourceRules = `resourceRules:
  cpu:
    containerQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>,container!=""}[3m])) by (<<.GroupBy>>)
    nodeQuery: sum(rate(container_cpu_usage_seconds_total{<<.LabelMatchers>>, id='/'}[3m])) by (<<.GroupBy>>)
    resources:
      overrides:
        node:
          resource: node
        namespace:
          resource: namespace
        pod:
          resource: pod
    containerLabel: container
  memory:
    containerQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>,container!=""}) by (<<.GroupBy>>)
    nodeQuery: sum(container_memory_working_set_bytes{<<.LabelMatchers>>,id='/'}) by (<<.GroupBy>>)
    resources:
      overrides:
        node:
          resource: node
        namespace:
          resource: namespace
        pod:
          resource: pod
    containerLabel: container
  window: 3m
`;

describe('config file sections', () => {
  let dir: string;
  let factories: BackendFactory<unknown>[];
  const file = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text);
    return readConfigFile(path);
  };
  const load = async (name: string, text: string, backend: string | undefined = 'prometheus') => {
    const source = await file(name, text);
    const { backendName, section, source: located } = backendSectionOf(source, factories, backend);
    return backendConfigFrom(
      await loadBackend(backendName),
      factories,
      { prometheusUrl: 'http://127.0.0.1:9090' },
      located,
      section,
    );
  };
  const rejects = async (text: string, pattern: RegExp, backend?: string) => {
    await assert.rejects(
      load('bad.yaml', text, backend),
      (error: unknown) => error instanceof CliError && pattern.test(error.message),
    );
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-sections-'));
    factories = await loadAllBackends();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a misspelt key names its line and the keys allowed', async () => {
    await rejects(
      peerFile.replace('  metricsQuery: sum', '  metricQuery: sum'),
      /bad\.yaml:13: externalRules\.0\.metricQuery: unknown key \(allowed here: seriesQuery, seriesFilters, resources, name, metricsQuery\)/,
    );
  });

  test('a bad template or regular expression is refused at its line', async () => {
    await rejects(
      peerFile.replace('by (<<.GroupBy>>)', 'by (<<.Groupby>>)'),
      /bad\.yaml:10: rules\.0\.metricsQuery: bad metricsQuery template: <<\.Groupby>>: can't evaluate field Groupby/,
    );
    await rejects(
      peerFile.replace('"^(.*)_total"', '"^(.*_total"'),
      /bad\.yaml:8: rules\.0\.name\.matches: bad regular expression/,
    );
    await rejects(
      peerFile.replace('as: "${1}_per_second"', 'as: ""').replace('"^(.*)_total"', '"^(.*)_(.*)_total"'),
      /rules\.0\.name\.as: matches has 2 capture groups/,
    );
  });

  test("resourceRules in the peer's format are read, alone too; a mistake is refused at its line", async () => {
    const config = (await load('resource.yaml', resourceRules)) as {
      resourceRules: { window: string; cpu: { containerLabel: string } };
    };
    assert.equal(config.resourceRules.window, '3m');
    assert.equal(config.resourceRules.cpu.containerLabel, 'container');
    await rejects(
      `${peerFile}resourceRules:\n  cpu: {}\n`,
      /bad\.yaml:17: resourceRules\.cpu\.containerQuery: required/,
    );
    await rejects(
      resourceRules.replace('window: 3m', 'window: 3 minutes'),
      /resourceRules\.window: must be a Prometheus duration/,
    );
    await rejects(
      resourceRules.replace('containerLabel: container', 'containerLabl: container'),
      /resourceRules\.cpu\.containerLabl: unknown key/,
    );
    await rejects(
      resourceRules.replace('by (<<.GroupBy>>)', 'by (<<.Groupby>>)'),
      /resourceRules\.cpu\.containerQuery: bad metricsQuery template/,
    );
  });

  test('rules belong to the prometheus back end, given once', async () => {
    await rejects(
      peerFile,
      /bad\.yaml:1: rules: a key of the prometheus back end, but the back end is memory \(pass --backend prometheus\)/,
      'memory',
    );
    await rejects(`${peerFile}prometheus:\n  rules: []\n`, /rules: given both here and as prometheus\.rules/);
    await rejects(
      'ruls: []\n',
      /bad\.yaml:1: ruls: unknown key \(allowed: backend, backends, ingest, memory, .*prometheus.*, rules, externalRules, resourceRules\)/,
    );
  });

  test("prometheus-adapter's documented file works unchanged, beside a prometheus section", async () => {
    const config = (await load('peer.yaml', `${peerFile}prometheus:\n  timeout: 2s\n`)) as {
      url: string;
      timeout: string;
      rules: unknown[];
      externalRules: { resources: unknown }[];
    };
    assert.equal(config.url, 'http://127.0.0.1:9090');
    assert.equal(config.timeout, '2s');
    assert.equal(config.rules.length, 1);
    assert.deepEqual(config.externalRules[0]!.resources, { namespaced: false });
  });
});
