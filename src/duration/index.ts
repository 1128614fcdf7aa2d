/** Go-style duration strings. */
export * from './parse-duration.js';
