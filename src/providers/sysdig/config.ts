/**
 * The `sysdig:` section of the config file (and the `--sysdig-*` flags set into it): where Sysdig is, how
 * the token is read, and per metric the time window and aggregations of the Data API query.
 * @module
 */
import { z } from 'zod';
import { durationString } from '../../duration/index.js';
import { hasRules, promqlRulesSettings } from '../promql/settings.js';

/** Time aggregations the Data API accepts (a metric descriptor's `timeAggregations`). */
const timeAggregations = ['avg', 'timeAvg', 'sum', 'min', 'max', 'rateOfChange'] as const;
/** Group aggregations the Data API accepts (a metric descriptor's `groupAggregations`). */
const groupAggregations = ['avg', 'sum', 'min', 'max'] as const;

/** How one metric is queried; every key may be left to `defaults`. */
const querySettings = {
  /** The Data API's `last`: the window the value is aggregated over. */
  window: durationString.optional(),
  timeAggregation: z.enum(timeAggregations).optional(),
  groupAggregation: z.enum(groupAggregations).optional(),
  /** `container` or `host`; Sysdig infers it from the scope when omitted. */
  dataSourceType: z.enum(['container', 'host']).optional(),
  /**
   * What an object without data answers: `notFound` (404, the HPA keeps its replicas) or `zero` (the value 0,
   * as k8s-sysdig-adapter answered).
   */
  onNoData: z.enum(['notFound', 'zero']).optional(),
};

const promqlSection = z
  .object(promqlRulesSettings)
  .strict()
  .refine(...hasRules("give prometheus-adapter's rules under sysdig.promql (promql.rules / promql.externalRules)"));

export type SysdigPromqlConfig = z.infer<typeof promqlSection>;

const metricEntry = z
  .object({
    /** The Sysdig metric id, `net.http.request.count`; it is also the name the HPA uses. */
    name: z.string().min(1),
    /**
     * Which custom-metric resources list it; default every resource Sysdig scopes (see scope.ts). [] for external only.
     */
    resources: z.array(z.string().min(1)).optional(),
    /** Listed as an external metric too; default true. */
    external: z.boolean().optional(),
    /** External only: Sysdig labels that split the answer into one series each, `[kubernetes.pod.name]`. */
    segmentBy: z.array(z.string().min(1)).optional(),
    /** External only: add `kubernetes.namespace.name = '<namespace of the request>'` to the scope; default false. */
    namespaced: z.boolean().optional(),
    ...querySettings,
  })
  .strict();

export const sysdigConfigSchema = z
  .object({
    /** Sysdig's API base URL (region or on-premises), without `/api`. Default $SDC_ENDPOINT, else the US-East SaaS. */
    url: z.url({ protocol: /^https?$/, error: 'must be an https:// (or http://) URL' }).optional(),
    /**
     * A file holding the API token, re-read on every request (a mounted Secret rotates). Else the env var `tokenEnv`.
     */
    tokenFile: z.string().min(1).optional(),
    /** The env var holding the API token when there is no tokenFile. */
    tokenEnv: z.string().min(1).default('SDC_TOKEN'),
    /** PEM CA that signed Sysdig's certificate (on-premises). */
    caFile: z.string().min(1).optional(),
    /** The whole query, retries included, answers 503 after this long. */
    timeout: durationString.default('10s'),
    /** Added to every scope as `kubernetes.cluster.name`; default $CLUSTER_NAME, as k8s-sysdig-adapter read it. */
    clusterName: z.string().min(1).optional(),
    /** `data`: the Data API. `promql`: Sysdig's PromQL API at `<url>/prometheus` with the rules in `promql`. */
    mode: z.enum(['data', 'promql']).default('data'),
    /** `descriptors`: list what Sysdig's metric descriptors offer; `config`: list only `metrics`. */
    discovery: z.enum(['descriptors', 'config']).default('descriptors'),
    /** How often the metric descriptors are read again. */
    discoveryInterval: durationString.default('5m'),
    defaults: z.object(querySettings).strict().default({}),
    metrics: z.array(metricEntry).default([]),
    /**
     * `mode: promql` only: prometheus-adapter's `rules`/`externalRules` (and the relist settings), checked by the
     * Prometheus back end's own schema. NB: nested rather than hoisted from the top level (the Prometheus back
     * end owns top-level `rules:`), so one file can never be read by two back ends.
     */
    promql: promqlSection.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.mode === 'promql' && config.promql === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['promql'],
        message:
          'mode: promql needs a promql: section with prometheus-adapter rules (promql.rules / promql.externalRules)',
      });
    }
    if (config.mode !== 'promql' && config.promql !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['mode'], message: 'the promql: section is read only with mode: promql' });
    }
  });

export type SysdigConfig = z.infer<typeof sysdigConfigSchema>;
export type SysdigMetricConfig = z.infer<typeof metricEntry>;
