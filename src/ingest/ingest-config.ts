/**
 * The `ingest:` section of the config file: what pushed series become. Rules use prometheus-adapter's vocabulary
 * (`seriesQuery`, `resources.overrides`/`template`, `name.matches`/`as`) plus what pushing needs: how to read the
 * series (`type`), the rate or histogram `window`, a `quantile`, `external`, and `maxAge` for staleness.
 * @module
 */
import { z } from 'zod';
import { durationString } from '../duration/index.js';
import { compileGoRegexp, parseGoTemplate } from '../providers/promql/rules/index.js';
import { parseSeriesSelector } from './series-selector.js';

function checked(check: (text: string) => void, what: string) {
  return z.string().superRefine((text, ctx) => {
    try {
      check(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `bad ${what}: ${(error as Error).message}` });
    }
  });
}

const groupResource = z.object({ group: z.string().optional(), resource: z.string().min(1) }).strict();

export const ingestRuleSchema = z
  .object({
    /** Which pushed series the rule takes, as a PromQL series selector. */
    seriesQuery: checked((text) => parseSeriesSelector(text), 'seriesQuery'),
    /** How to read the series; by default what the sender says (OTLP), or `counter` for a name ending in `_total`. */
    type: z.enum(['counter', 'gauge', 'histogram']).optional(),
    resources: z
      .object({
        template: checked(
          (text) => parseGoTemplate(text, { Group: 'string', Resource: 'string' }),
          'resources template',
        ).optional(),
        overrides: z.record(z.string(), groupResource).optional(),
      })
      .strict()
      .optional(),
    name: z
      .object({
        matches: checked((text) => compileGoRegexp(text), 'regular expression').optional(),
        as: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Serve as an external metric with the series' labels, instead of a custom metric of the objects they name. */
    external: z.boolean().optional(),
    /** The window of a counter's rate and a histogram's mean or quantile (default 2m). */
    window: durationString.optional(),
    /** Serve this quantile of a histogram (0 to 1) instead of its mean. */
    quantile: z.number().min(0).max(1).optional(),
    /** Drop a series not pushed for this long (default 5m). */
    maxAge: durationString.optional(),
  })
  .strict();

export type IngestRule = z.infer<typeof ingestRuleSchema>;

export const ingestConfigSchema = z
  .object({
    /** Replace the default rules; an empty list keeps nothing. */
    rules: z.array(ingestRuleSchema).optional(),
    /** The largest request body, compressed as sent (default 4 MiB). */
    maxBodyBytes: z.number().int().positive().optional(),
    /** The largest decompressed remote-write body (default 32 MiB). */
    maxDecodedBytes: z.number().int().positive().optional(),
  })
  .strict();

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

/** Resource attributes of the OpenTelemetry semantic conventions, and the labels a Prometheus agent's scrape gives. */
export const defaultResourceOverrides: Readonly<
  Record<string, { readonly group?: string; readonly resource: string }>
> = {
  namespace: { resource: 'namespaces' },
  pod: { resource: 'pods' },
  'k8s.namespace.name': { resource: 'namespaces' },
  'k8s.pod.name': { resource: 'pods' },
  'k8s.node.name': { resource: 'nodes' },
  'k8s.deployment.name': { group: 'apps', resource: 'deployments' },
  'k8s.statefulset.name': { group: 'apps', resource: 'statefulsets' },
  'k8s.daemonset.name': { group: 'apps', resource: 'daemonsets' },
  'k8s.replicaset.name': { group: 'apps', resource: 'replicasets' },
  'k8s.job.name': { group: 'batch', resource: 'jobs' },
  'k8s.cronjob.name': { group: 'batch', resource: 'cronjobs' },
};

/**
 * With no rules written: a counter `x_total` is served as `x_per_second` (its rate), anything else under its own
 * name (a gauge as it is, a histogram as its mean), each of the objects its labels name.
 */
export const defaultIngestRules: readonly IngestRule[] = [
  { seriesQuery: '{__name__=~".+_total"}', type: 'counter', name: { matches: '^(.*)_total$', as: '${1}_per_second' } },
  { seriesQuery: '{__name__!~".+_total"}' },
];

export const defaultWindowMs = 120_000;
export const defaultMaxAgeMs = 300_000;
export const defaultMaxBodyBytes = 4 * 1024 * 1024;
export const defaultMaxDecodedBytes = 32 * 1024 * 1024;
