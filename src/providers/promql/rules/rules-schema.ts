/**
 * prometheus-adapter's rules format (pkg/config/config.go) as strict zod schemas: unknown keys are refused like the
 * peer's `yaml.UnmarshalStrict`, and every template and regular expression is compiled while the file is checked,
 * so a mistake is reported with its line and key before anything starts.
 * @module
 */
import { z } from 'zod';
import { captureGroupCount, compileGoRegexp } from './go-regexp.js';
import { parseGoTemplate } from './go-template.js';
import { metricsQueryFields } from './metrics-query.js';

const required = {
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : 'must be a string'),
};

function checked(check: (text: string) => void, what: string) {
  return z.string(required).superRefine((text, ctx) => {
    try {
      check(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `bad ${what}: ${(error as Error).message}` });
    }
  });
}

const goRegexp = checked((text) => compileGoRegexp(text), 'regular expression');
const metricsQueryTemplate = checked((text) => {
  if (text.trim() === '') throw new Error('must not be empty');
  parseGoTemplate(text, metricsQueryFields);
}, 'metricsQuery template');
const resourceTemplate = checked((text) => {
  const template = parseGoTemplate(text, { Group: 'string', Resource: 'string' });
  if (!template.fields.includes('Resource')) throw new Error('must include <<.Resource>>');
}, 'resources template');

const regexFilter = z
  .object({ is: goRegexp.optional(), isNot: goRegexp.optional() })
  .strict()
  .refine((filter) => (filter.is === undefined) !== (filter.isNot === undefined), {
    message: 'a filter has exactly one of `is` or `isNot`',
  });

const groupResource = z.object({ group: z.string().optional(), resource: z.string().min(1) }).strict();

const resourceMapping = z
  .object({
    template: resourceTemplate.optional(),
    overrides: z.record(z.string(), groupResource).optional(),
    /** externalRules only: false leaves the HPA's namespace out of the query. */
    namespaced: z.boolean().optional(),
  })
  .strict();

const nameMapping = z
  .object({ matches: goRegexp.optional(), as: z.string().optional() })
  .strict()
  .superRefine((name, ctx) => {
    if (name.as !== undefined && name.as !== '') return;
    let groups = 0;
    try {
      groups = captureGroupCount(compileGoRegexp(name.matches ?? ''));
    } catch {
      return;
    }
    if (groups > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['as'],
        message: `matches has ${groups} capture groups, so \`as\` must say how to name the metric (e.g. "\${1}_per_second")`,
      });
  });

export const discoveryRuleSchema = z
  .object({
    seriesQuery: z
      .string(required)
      .min(1, { message: 'required: a series selector such as \'{__name__=~"^http_.*",namespace!=""}\'' }),
    seriesFilters: z.array(regexFilter).nullish(),
    resources: resourceMapping.optional(),
    name: nameMapping.optional(),
    metricsQuery: metricsQueryTemplate,
  })
  .strict();

export type DiscoveryRule = z.infer<typeof discoveryRuleSchema>;

/**
 * A Prometheus duration (`pmodel.Duration`, the type of the peer's `window`): one or more `<n><unit>` with units
 * `y`, `w`, `d`, `h`, `m`, `s`, `ms`, largest first, such as `1m`, `90s`, `1h30m`, `1d`.
 */
const prometheusDurationPattern = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const prometheusDurationUnitsMs = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds of a Prometheus duration; undefined when the text is not one. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const match = prometheusDurationPattern.exec(text);
  if (match === null || text === '') return undefined;
  return prometheusDurationUnitsMs.reduce((total, unit, i) => total + Number(match[i + 1] ?? 0) * unit, 0);
}

const prometheusDuration = z.string().refine((text) => parsePrometheusDuration(text) !== undefined, {
  message: 'must be a Prometheus duration such as 1m, 90s or 1h30m',
});

/** One resource of `resourceRules` (the peer's config.ResourceRule). */
const resourceRuleSchema = z
  .object({
    containerQuery: metricsQueryTemplate,
    nodeQuery: metricsQueryTemplate,
    resources: resourceMapping.optional(),
    containerLabel: z
      .string(required)
      .min(1, { message: 'required: the series label that names the container, such as container' }),
  })
  .strict();

/**
 * prometheus-adapter's `resourceRules` (config.ResourceRules): how to query CPU (cores) and memory (bytes) per
 * container and per node for the resource metrics API `metrics.k8s.io`, and the `window` the answers report.
 */
export const resourceRulesSchema = z
  .object({
    cpu: resourceRuleSchema,
    memory: resourceRuleSchema,
    window: prometheusDuration.optional(),
  })
  .strict();

export type ResourceRules = z.infer<typeof resourceRulesSchema>;

/** The keys of prometheus-adapter's config file, all of which this back end reads. */
export const rulesFileKeys = ['rules', 'externalRules', 'resourceRules'] as const;
