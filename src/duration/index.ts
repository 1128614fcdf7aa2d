/** Go-style duration strings. */
export * from './parse-duration.js';
export * from './duration-schema.js';
