export { parseTemplate, ChartValuesError, TemplateError, type ParsedTemplate, type TemplateNode } from './parse.js';
export { TemplateExecutor, isTrue, printValue, type ExecutionContext, type TemplateFunction } from './execute.js';
export { templateFunctions } from './functions.js';
