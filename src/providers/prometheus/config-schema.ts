/**
 * The `prometheus` section of the config file: where Prometheus is, how to reach it, and prometheus-adapter's rules.
 * The peer's own file (top-level `rules:`, `externalRules:`) lands here unchanged (see `topLevelKeys`).
 * @module
 */
import { z } from 'zod';
import { durationString } from '../../duration/index.js';
import type { BackendFlag } from '../backend-flag.js';
import type { PrometheusClientOptions } from '../promql/client/index.js';
import { hasRules, promqlRulesSettings, timingsOf } from '../promql/settings.js';

const authSchema = z
  .object({
    bearerTokenFile: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    caFile: z.string().min(1).optional(),
    clientCertFile: z.string().min(1).optional(),
    clientKeyFile: z.string().min(1).optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
  })
  .strict()
  .refine((auth) => auth.bearerTokenFile === undefined || auth.username === undefined, {
    message: 'use a bearer token or basic auth, not both',
  })
  .refine((auth) => (auth.clientCertFile === undefined) === (auth.clientKeyFile === undefined), {
    message: 'clientCertFile and clientKeyFile go together',
  });

export const prometheusConfigSchema = z
  .object({
    url: z.url({
      protocol: /^https?$/,
      error: 'must be an http or https URL such as http://prometheus.monitoring.svc:9090',
    }),
    /** Deadline of one call to Prometheus; past it the request is a 503. */
    timeout: durationString.optional(),
    headers: z.record(z.string(), z.string()).optional(),
    auth: authSchema.optional(),
    /** prometheus-adapter's Helm chart `rules.default: true`: its cadvisor and per-resource rules, before `rules`. */
    defaultRules: z.boolean().optional(),
    ...promqlRulesSettings,
  })
  .strict()
  .refine(
    ...hasRules(
      "or externalRules: in prometheus-adapter's format, at the top of the --config file or, under backends:, in this back end's entry",
    ),
  );

export type PrometheusBackendConfig = z.infer<typeof prometheusConfigSchema>;

export const prometheusFlags: readonly BackendFlag[] = [
  {
    name: 'prometheus-url',
    value: '<url>',
    description: 'URL of Prometheus, e.g. http://prometheus.monitoring.svc:9090',
    configKey: 'url',
  },
  {
    name: 'prometheus-timeout',
    value: '<duration>',
    description: 'deadline of one Prometheus call; past it the request is a 503 (default 5s)',
    configKey: 'timeout',
  },
  {
    name: 'metrics-relist-interval',
    value: '<duration>',
    description: 'how often to relist the series each rule finds (default 10m)',
    configKey: 'metricsRelistInterval',
  },
  {
    name: 'metrics-max-age',
    value: '<duration>',
    description: 'how far back a series counts when listing (default: the relist interval)',
    configKey: 'metricsMaxAge',
  },
  {
    name: 'prometheus-token-file',
    value: '<file>',
    description: 'file with a bearer token for Prometheus',
    configKey: 'auth.bearerTokenFile',
  },
  {
    name: 'prometheus-username',
    value: '<name>',
    description: 'basic-auth user for Prometheus',
    configKey: 'auth.username',
  },
  {
    name: 'prometheus-password-file',
    value: '<file>',
    description: 'file with the basic-auth password',
    configKey: 'auth.passwordFile',
  },
  {
    name: 'prometheus-ca-file',
    value: '<file>',
    description: "PEM CA bundle that signed Prometheus' certificate",
    configKey: 'auth.caFile',
  },
  {
    name: 'prometheus-client-tls-cert-file',
    value: '<file>',
    description: 'client certificate for Prometheus (PEM)',
    configKey: 'auth.clientCertFile',
  },
  {
    name: 'prometheus-client-tls-key-file',
    value: '<file>',
    description: 'key of --prometheus-client-tls-cert-file (PEM)',
    configKey: 'auth.clientKeyFile',
  },
  {
    name: 'prometheus-insecure-skip-tls-verify',
    description: "do not verify Prometheus' certificate",
    configKey: 'auth.insecureSkipTLSVerify',
  },
  {
    name: 'prometheus-verb',
    value: '<GET|POST>',
    description: 'HTTP method of queries (default GET)',
    configKey: 'verb',
  },
  {
    name: 'default-rules',
    description:
      "serve the rules prometheus-adapter's Helm chart renders with rules.default: true (cadvisor container_* and every namespaced series), before the config file's",
    configKey: 'defaultRules',
  },
  {
    name: 'prometheus-header',
    value: '<name=value>',
    description: 'a header sent to Prometheus with every call; may be repeated',
    configKey: 'headers',
    accumulate: addHeader,
  },
];

/** NB: as prometheus-adapter's parseHeaderArgs: split at the first `=`; no `=` is an empty value. */
function addHeader(value: string, previous: unknown): Record<string, string> {
  const headers = { ...(previous as Record<string, string> | undefined) };
  const equals = value.indexOf('=');
  if (equals < 0) headers[value] = '';
  else headers[value.slice(0, equals)] = value.slice(equals + 1);
  return headers;
}

export function clientOptionsOf(config: PrometheusBackendConfig): PrometheusClientOptions {
  return {
    url: config.url,
    timeoutMs: timingsOf(config).timeoutMs,
    ...(config.auth !== undefined ? { auth: config.auth } : {}),
    ...(config.headers !== undefined ? { headers: config.headers } : {}),
    ...(config.verb !== undefined ? { verb: config.verb } : {}),
  };
}
