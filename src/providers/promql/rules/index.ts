/**
 * prometheus-adapter's rules: schema, compiler and query templates, shared by every PromQL back end.
 * @module
 */
export { compileRules, isClusterScoped, type CompiledRule } from './compile-rules.js';
export { discoveryRuleSchema, parsePrometheusDuration, resourceRulesSchema, rulesFileKeys, type DiscoveryRule, type ResourceRules } from './rules-schema.js';
export { createMetricsQuery, type MetricsQuery, type CustomQueryRequest, type ExternalQueryRequest } from './metrics-query.js';
export { createResourceConverter, type ResourceConverter, type ResourceMapping } from './resource-converter.js';
export { parseGoTemplate, TemplateError, type GoTemplate } from './go-template.js';
export { captureGroupCount, compileGoRegexp, expandGo, RegexpError } from './go-regexp.js';
export { prometheusLabelName } from './label-matchers.js';
export { defaultRules } from './default-rules.js';
