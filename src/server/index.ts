/** The HTTP server. */
export { createServer, type MetricsServer, type ServerOptions } from './create-server.js';
export { jsonAnswer, type Answer, type Exchange, type Handler } from './exchange.js';
export { defaultServerLimits, type ServerLimits } from './limits.js';
export { closeGracefully } from './shutdown.js';
