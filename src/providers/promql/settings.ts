/**
 * The settings every back end that speaks PromQL shares: prometheus-adapter's rules and their discovery timings
 * (the Prometheus back end's section, and `sysdig.promql`).
 * @module
 */
import { z } from 'zod';
import { durationString, parseDuration } from '../../duration/index.js';
import { discoveryRuleSchema, resourceRulesSchema } from './rules/index.js';

/**
 * The settings of prometheus-adapter's rules and their discovery, shared by every back end that speaks PromQL:
 * the Prometheus back end's section, and `sysdig.promql`.
 */
export const promqlRulesSettings = {
  metricsRelistInterval: durationString.optional(),
  metricsMaxAge: durationString.optional(),
  verb: z.enum(['GET', 'POST']).optional(),
  rules: z.array(discoveryRuleSchema).nullish(),
  externalRules: z.array(discoveryRuleSchema).nullish(),
  resourceRules: resourceRulesSchema.optional(),
};

/** A section without a single rule serves nothing; `where` says where the rules go. */
export function hasRules(where: string) {
  return [
    (config: {
      rules?: readonly unknown[] | null | undefined;
      externalRules?: readonly unknown[] | null | undefined;
      resourceRules?: unknown;
      defaultRules?: boolean | undefined;
    }) =>
      (config.rules ?? []).length + (config.externalRules ?? []).length > 0 ||
      config.resourceRules !== undefined ||
      config.defaultRules === true,
    { message: `needs rules: ${where}` },
  ] as const;
}

export interface PrometheusTimings {
  readonly timeoutMs: number;
  readonly relistIntervalMs: number;
  readonly maxAgeMs: number;
}

/** The deadline and relist timings; `timeout` is the Prometheus back end's, or Sysdig's for `sysdig.promql`. */
export function timingsOf(config: {
  readonly timeout?: string | undefined;
  readonly metricsRelistInterval?: string | undefined;
  readonly metricsMaxAge?: string | undefined;
}): PrometheusTimings {
  const timeoutMs = config.timeout === undefined ? 5000 : parseDuration(config.timeout);
  // NB: a zero interval would relist in a busy loop.
  const relistIntervalMs =
    config.metricsRelistInterval === undefined ? 600_000 : Math.max(parseDuration(config.metricsRelistInterval), 1000);
  const maxAgeMs = config.metricsMaxAge === undefined ? relistIntervalMs : parseDuration(config.metricsMaxAge);
  return { timeoutMs, relistIntervalMs, maxAgeMs };
}
