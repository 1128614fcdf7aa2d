/** The MetricQuery example of docs/library.md, type-checked by `npm run typecheck`. */
import { createAdapter, createKubeDeps, createLogger, createMetricQueryFeature, type Backend } from 'metrics-adapter';

declare const backend: Backend; // yours: providers plus readiness() and close()
const logger = createLogger({ format: 'json', verbosity: 0 });
const kube = await createKubeDeps({ logger });
if (kube.client !== undefined) {
  const queries = await createMetricQueryFeature({
    client: kube.client,
    backend,
    backends: (name) => (name === 'prometheus' ? { kind: 'prometheus', queries: backend.queries } : undefined),
    mapper: kube.resourceMapper,
    logger,
    leaderElection: { namespace: 'custom-metrics', name: 'my-adapter-metric-queries' },
  });
  const adapter = createAdapter({
    ...(queries.backend.external ? { external: queries.backend.external } : {}),
    ...(queries.backend.custom ? { custom: queries.backend.custom } : {}),
  });
  process.once('SIGTERM', () => void queries.close().then(() => adapter.close()));
}
