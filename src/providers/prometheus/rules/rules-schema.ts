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

const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : 'must be a string') };

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
    if (groups > 1) ctx.addIssue({ code: 'custom', path: ['as'], message: `matches has ${groups} capture groups, so \`as\` must say how to name the metric (e.g. "\${1}_per_second")` });
  });

export const discoveryRuleSchema = z
  .object({
    seriesQuery: z.string(required).min(1, { message: 'required: a series selector such as \'{__name__=~"^http_.*",namespace!=""}\'' }),
    seriesFilters: z.array(regexFilter).nullish(),
    resources: resourceMapping.optional(),
    name: nameMapping.optional(),
    metricsQuery: metricsQueryTemplate,
  })
  .strict();

export type DiscoveryRule = z.infer<typeof discoveryRuleSchema>;

/** The metrics.k8s.io resource metrics API is not served here; say so rather than ignore the section. */
export const resourceRulesSchema = z.unknown().superRefine((value, ctx) => {
  if (value === undefined || value === null) return;
  ctx.addIssue({
    code: 'custom',
    message: 'resourceRules configure the resource metrics API (metrics.k8s.io, `kubectl top`), which metrics-adapter does not serve: remove this section and keep metrics-server for it',
  });
});

/** The keys of prometheus-adapter's config file, all of which this back end reads. */
export const rulesFileKeys = ['rules', 'externalRules', 'resourceRules'] as const;
