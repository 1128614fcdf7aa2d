/**
 * The library's way in to MetricQuery objects: `startMetricQueries` behind a dynamic import, so importing the package
 * never loads client-node and the PromQL parser (about a second) for a user who does not use them.
 * @module
 */
import type { MetricQueryFeature, MetricQueryFeatureOptions } from './start-metric-queries.js';

/**
 * Watches the cluster's MetricQuery objects and puts them in front of `options.backend`: serve `feature.backend`'s
 * providers (createAdapter) and call `feature.close()` on shutdown. With `options.leaderElection` only the replica
 * holding the Lease writes statuses (docs/metric-queries.md).
 */
export async function createMetricQueryFeature(options: MetricQueryFeatureOptions): Promise<MetricQueryFeature> {
  const { startMetricQueries } = await import('./start-metric-queries.js');
  return startMetricQueries(options);
}
