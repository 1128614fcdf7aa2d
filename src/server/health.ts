/**
 * `/healthz`, `/livez` and `/readyz` as the generic apiserver answers them: `ok` as text, the
 * list of checks with `?verbose`, and a 503 naming the failed check when not ready.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../providers/backend.js';

export function registerHealthRoutes(app: FastifyInstance, readiness: () => Readiness): void {
  const answer = (path: string, checks: () => readonly { name: string; result: Readiness }[]) => {
    app.get(path, (request, reply) => {
      const results = checks();
      const failed = results.filter((c) => !c.result.ready);
      const verbose = Object.hasOwn(request.query as object, 'verbose');
      reply.header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff');
      if (failed.length === 0 && !verbose) return reply.code(200).send('ok');
      const lines = results.map((c) => (c.result.ready ? `[+]${c.name} ok` : `[-]${c.name} failed: ${c.result.message ?? 'not ready'}`));
      const name = path.slice(1);
      lines.push(failed.length === 0 ? `${name} check passed` : `${name} check failed`);
      // NB: the generic apiserver answers a failed check with 500; 503 is what load balancers and
      // the kubelet read as "not ready, try later", and any status >= 400 fails a probe.
      return reply.code(failed.length === 0 ? 200 : 503).send(`${lines.join('\n')}\n`);
    });
  };
  const ping = { name: 'ping', result: { ready: true } };
  answer('/healthz', () => [ping]);
  answer('/livez', () => [ping]);
  answer('/readyz', () => [ping, { name: 'backend', result: readiness() }]);
}
