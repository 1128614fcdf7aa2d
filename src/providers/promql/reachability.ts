/**
 * Whether Prometheus answers, asked every second: discovery relists every few minutes, so without
 * this the back end would stay ready (and `metrics_adapter_backend_up` 1) long after Prometheus died
 * while its metrics already answer 503. One probe at a time; a slow answer counts as down after the
 * client's deadline.
 * @module
 */
import type { Logger } from '../../log/index.js';
import type { Readiness } from '../health.js';
import type { PrometheusServerClient } from './client/index.js';

export interface Reachability {
  readiness(): Readiness;
  stop(): void;
}

export function watchReachability(client: PrometheusServerClient, intervalMs: number, logger: Logger): Reachability {
  let down: string | undefined;
  let probing = false;
  const probe = async (): Promise<void> => {
    if (probing) return;
    probing = true;
    try {
      await client.ping();
      if (down !== undefined) logger.info('Prometheus answers again');
      down = undefined;
    } catch (error) {
      const message = (error as Error).message;
      if (down === undefined) logger.warn({ err: message }, 'Prometheus does not answer');
      down = message;
    } finally {
      probing = false;
    }
  };
  const timer = setInterval(() => void probe(), intervalMs);
  timer.unref();
  return {
    readiness: () => (down === undefined ? { ready: true } : { ready: false, message: down }),
    stop: () => clearInterval(timer),
  };
}
