/**
 * Which metrics a route or a freshness rule is about: by exact name, prefix or regular expression,
 * and optionally by API. Compiled once when the config is loaded, then asked on every request.
 * @module
 */
import { z } from 'zod';

export type MetricsApiKind = 'custom' | 'external';

/** The matcher keys a route or a freshness rule may carry; none of them matches every metric. */
export const metricMatcherShape = {
  name: z.string().min(1).optional(),
  prefix: z.string().min(1).optional(),
  regex: z
    .string()
    .min(1)
    .refine(
      (text) => {
        try {
          new RegExp(text);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression' },
    )
    .optional(),
  api: z.enum(['custom', 'external']).optional(),
};

export interface MetricMatcherSpec {
  readonly name?: string | undefined;
  readonly prefix?: string | undefined;
  readonly regex?: string | undefined;
  readonly api?: MetricsApiKind | undefined;
}

export type MetricMatcher = (api: MetricsApiKind, metric: string) => boolean;

/**
 * NB: the regex must match the whole name, as prometheus-adapter's `seriesFilters` and `matches` do with Go's
 * anchoring.
 */
export function compileMetricMatcher(spec: MetricMatcherSpec): MetricMatcher {
  const { name, prefix, api } = spec;
  const regex = spec.regex === undefined ? undefined : new RegExp(`^(?:${spec.regex})$`);
  return (requestApi, metric) =>
    (api === undefined || api === requestApi) &&
    (name === undefined || name === metric) &&
    (prefix === undefined || metric.startsWith(prefix)) &&
    (regex === undefined || regex.test(metric));
}
