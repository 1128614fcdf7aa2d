import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { readConfigFile, validateConfig } from '../cli/config-file.js';
import type { BackendFactory } from '../providers/backend.js';
import { loadAllBackends } from '../providers/registry.js';
import { parseRoutingConfig, type RoutingSpec } from './routing-config.js';

const rule = (metric: string) => [
  '    rules:',
  `    - seriesQuery: '${metric}{namespace!="",pod!=""}'`,
  '      resources: {template: "<<.Resource>>"}',
  "      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'",
];

describe('routing config with prometheus back ends', () => {
  let dir: string;
  let factories: BackendFactory<unknown>[];
  const parse = async (lines: readonly string[]): Promise<RoutingSpec> => {
    const file = join(dir, 'adapter.yaml');
    await writeFile(file, `${lines.join('\n')}\n`);
    const source = await readConfigFile(file);
    const validate = <T>(schema: z.ZodType<T>, value: unknown, path: readonly PropertyKey[]): T =>
      validateConfig(source, schema, value, path);
    return parseRoutingConfig(source.data, validate, factories);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-routing-config-'));
    factories = await loadAllBackends();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('each entry carries its own url and prometheus-adapter rules', async () => {
    const spec = await parse([
      'backends:',
      '  prom-a:',
      '    kind: prometheus',
      '    url: http://127.0.0.1:9090',
      ...rule('alpha'),
      '  prom-b:',
      '    kind: prometheus',
      '    url: http://127.0.0.1:9091',
      ...rule('beta'),
    ]);
    const configs = spec.backends.map((b) => b.config as { url: string; rules: { seriesQuery: string }[] });
    assert.deepEqual(
      configs.map((c) => [c.url, c.rules.map((r) => r.seriesQuery)]),
      [
        ['http://127.0.0.1:9090', ['alpha{namespace!="",pod!=""}']],
        ['http://127.0.0.1:9091', ['beta{namespace!="",pod!=""}']],
      ],
    );
    assert.notEqual(spec.backends[0]!.identity, spec.backends[1]!.identity);
  });

  test('an entry without rules says where they go', async () => {
    await assert.rejects(
      parse(['backends:', '  prom-a:', '    kind: prometheus', '    url: http://127.0.0.1:9090']),
      /adapter\.yaml:2: backends\.prom-a: needs rules: or externalRules: .*in this back end's entry/,
    );
  });
});
