/** Authentication and authorization. */
export * from './request-guard.js';
