/**
 * A MetricsFetcher that answers from this process's providers through the server's own `/apis`
 * handler: the same path parsing, selectors and encoders as a request over the network, without one.
 * @module
 */
import { answerBodies } from '../../api/body-pool.js';
import { encodeStatusError } from '../../api/encode-status.js';
import type { MetricsFetcher } from '../../hpa/explain.js';
import { toStatusError } from '../error-handling.js';
import type { MetricsApi } from '../metrics-api.js';
import { splitPath, splitUrl } from '../paths.js';

export function createInProcessFetcher(api: MetricsApi): MetricsFetcher {
  return {
    async get(url) {
      const { path, query } = splitUrl(url);
      try {
        const answer = await api.handle(splitPath(path).slice(2), query, 'application/json', {
          signal: AbortSignal.timeout(10_000),
        });
        const body = answer.body.toString();
        if (typeof answer.body !== 'string') answerBodies.release(answer.body);
        return { status: 200, body };
      } catch (error) {
        const status = toStatusError(error);
        return { status: status.code, body: encodeStatusError(status) };
      }
    },
  };
}
