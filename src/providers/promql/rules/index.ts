/**
 * prometheus-adapter's rules: schema, compiler and query templates, shared by every PromQL back end.
 * @module
 */
export { compileRules, isClusterScoped, type CompiledRule } from './compile-rules.js';
export {
  discoveryRuleSchema,
  parsePrometheusDuration,
  resourceRulesSchema,
  type DiscoveryRule,
  type ResourceRules,
} from './rules-schema.js';
export { createMetricsQuery, type MetricsQuery } from './metrics-query.js';
export { createResourceConverter, type ResourceConverter } from './resource-converter.js';
export { parseGoTemplate } from './go-template.js';
export { captureGroupCount, compileGoRegexp, expandGo } from './go-regexp.js';
export { defaultRules } from './default-rules.js';
