/**
 * A MetricsFetcher that answers from this process's providers through the server's own `/apis`
 * handler: the same path parsing, selectors and encoders as a request over the network, without one.
 * @module
 */
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
        return { status: 200, body: answer.body.toString() };
      } catch (error) {
        const status = toStatusError(error);
        return { status: status.code, body: encodeStatusError(status) };
      }
    },
  };
}
