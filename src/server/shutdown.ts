/**
 * Graceful shutdown: stop accepting connections, let requests in flight finish, and after the grace
 * period cut whatever is left, so a SIGTERM always ends within a bound the kubelet can rely on.
 * @module
 */
import type { FastifyInstance } from 'fastify';

/**
 * Closes `app`: the listening socket at once (new connections are refused), idle keep-alive
 * connections at once, busy ones when their answer is sent or `graceMs` has passed.
 * Resolves `true` when everything finished within the grace period.
 */
export async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const closed = app.close().then(() => true as const);
  const inTime = await Promise.race([closed, expired]);
  clearTimeout(timer);
  if (!inTime) {
    app.server.closeAllConnections();
    await closed;
  }
  return inTime;
}
