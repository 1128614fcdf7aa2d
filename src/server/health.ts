/**
 * `/healthz`, `/livez` and `/readyz` as the generic apiserver answers them: `ok` as text, the
 * list of checks with `?verbose`, and a 503 naming the failed check when not ready.
 * @module
 */
import type { Readiness } from '../providers/health.js';
import type { Answer } from './exchange.js';
import { readMethods, type Routes } from './routes.js';

const textHeaders = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } as const;

export function addHealthRoutes(routes: Routes, readiness: () => Readiness): void {
  const answer = (path: string, checks: () => readonly { name: string; result: Readiness }[]) => {
    routes.add(readMethods, path, {
      unlimited: true,
      handler: (exchange): Answer => {
        const results = checks();
        const failed = results.filter((c) => !c.result.ready);
        const verbose = new URLSearchParams(exchange.query).has('verbose');
        if (failed.length === 0 && !verbose) return { code: 200, body: 'ok', headers: textHeaders };
        const lines = results.map((c) =>
          c.result.ready ? `[+]${c.name} ok` : `[-]${c.name} failed: ${c.result.message ?? 'not ready'}`,
        );
        const name = path.slice(1);
        lines.push(failed.length === 0 ? `${name} check passed` : `${name} check failed`);
        // NB: the generic apiserver answers a failed check with 500; 503 is what load balancers and
        // the kubelet read as "not ready, try later", and any status >= 400 fails a probe.
        return { code: failed.length === 0 ? 200 : 503, body: `${lines.join('\n')}\n`, headers: textHeaders };
      },
    });
  };
  const ping = { name: 'ping', result: { ready: true } };
  answer('/healthz', () => [ping]);
  answer('/livez', () => [ping]);
  answer('/readyz', () => [ping, { name: 'backend', result: readiness() }]);
}
