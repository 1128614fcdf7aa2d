/**
 * The status page: what the adapter serves, how fresh it is, and an HPA explainer, at `/ui`.
 * @module
 */
export { addStatusPageRoutes, type StatusPageLifecycle, type StatusPageOptions } from './status-page.js';
export { formatStatusJson, type StatusJson, type StatusJsonMetric, type StatusJsonValue } from './status-json.js';
