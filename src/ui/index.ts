/**
 * The status page: what the adapter serves, how fresh it is, and an HPA explainer, at `/ui`.
 * @module
 */
export { statusPage, type StatusPageOptions } from './status-page.js';
