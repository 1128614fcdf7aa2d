/**
 * The QueryRunner of every back end that speaks PromQL: an instant query, its result as samples. A query
 * Prometheus refuses (`bad_data`: a parse error, an unknown function) is the object's mistake, a 400 carrying
 * Prometheus' own text; a result that is not a vector or scalar is one too.
 * @module
 */
import { badRequest, StatusError } from '../../api/errors.js';
import type { QueryRunner } from '../query-runner.js';
import type { PrometheusClient } from './client/index.js';

export function createPromQLRunner(client: PrometheusClient, namespaceLabel: string): QueryRunner {
  return {
    language: 'promql',
    namespaceLabel,
    async instant(query, ctx) {
      let result;
      try {
        result = await client.query(query, { signal: ctx.signal });
      } catch (error) {
        if (error instanceof StatusError && error.code === 500) throw badRequest(error.message, { cause: error });
        throw error;
      }
      if (result.resultType === 'vector') return result.samples;
      if (result.resultType === 'scalar') return [result.sample];
      throw badRequest(`the query gives a ${result.resultType}; it must give an instant vector or a scalar`);
    },
  };
}
