/**
 * The Prometheus back end: prometheus-adapter's rules file against a Prometheus server. Discovery lists each rule's
 * series on an interval; every HPA request is one instant query.
 * @module
 */
import type { Backend, BackendFactory } from '../backend.js';
import { timingsOf } from '../promql/settings.js';
import {
  clientOptionsOf,
  prometheusConfigSchema,
  prometheusFlags,
  type PrometheusBackendConfig,
} from './config-schema.js';
import { rulesFileKeys } from '../promql/rules/rules-schema.js';

export type { PrometheusBackendConfig } from './config-schema.js';

const prometheusBackend: BackendFactory<PrometheusBackendConfig> = {
  name: 'prometheus',
  description: "queries Prometheus with prometheus-adapter's rules (--config rules.yaml)",
  configSchema: prometheusConfigSchema,
  flags: prometheusFlags,
  topLevelKeys: rulesFileKeys,
  async create(config, _flags, deps): Promise<Backend> {
    // NB: imported here so that `--help`, which loads every factory, stays cheap.
    const { createPrometheusBackend } = await import('./create-backend.js');
    return createPrometheusBackend(config, clientOptionsOf(config), timingsOf(config), deps);
  },
  configCheck: {
    // NB: a rules file names no Prometheus; `config check rules.yaml` still validates it, offline.
    standIns: { prometheusUrl: 'http://127.0.0.1:9' },
    async run(label, config, live, print) {
      const { checkPrometheusConfig } = await import('./config-check.js');
      return checkPrometheusConfig(label, config, live, print);
    },
  },
};

export default prometheusBackend;
