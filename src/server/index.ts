/** The HTTP server. */
export { createServer, type ServerOptions } from './create-server.js';
export { defaultServerLimits, type ServerLimits } from './limits.js';
export { closeGracefully } from './shutdown.js';
