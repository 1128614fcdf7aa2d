/** Wire types, errors and encoders of the metrics APIs. */
export * from './types.js';
export * from './errors.js';
export * from './json.js';
export * from './timestamp.js';
export * from './encode-metrics.js';
export * from './encode-discovery.js';
export * from './encode-status.js';
export * from './encode-resource-metrics.js';
export * from './go-duration.js';
