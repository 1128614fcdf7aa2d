/** Logging. */
export * from './create-logger.js';
