/**
 * A one-function external metric: polls a local HTTP endpoint every 5 s for a queue's length.
 *
 *   QUEUE_URL=http://127.0.0.1:8080/queue npx tsx examples/queue-length.ts
 * kubectl --kubeconfig .certs/kubeconfig get --raw
 * /apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_length
 *
 * The endpoint answers JSON such as `{"length": 42, "byPriority": {"high": 5}}`. While it fails, the last good
 * value is served for MAX_STALENESS (default 1m), then the metric answers 503 until the endpoint is back.
 */
import { createAdapter, value } from 'metrics-adapter';

const queueUrl = process.env.QUEUE_URL ?? 'http://127.0.0.1:8080/queue';

const adapter = createAdapter();
adapter.addMetric(
  { name: 'queue_length', every: process.env.POLL_EVERY ?? '5s', maxStaleness: process.env.MAX_STALENESS ?? '1m' },
  async ({ signal }) => {
    const response = await fetch(queueUrl, { signal });
    if (!response.ok) throw new Error(`${queueUrl} answered ${response.status}`);
    const body = (await response.json()) as { length: number; byPriority?: Record<string, number> };
    let result = value(body.length);
    for (const [priority, length] of Object.entries(body.byPriority ?? {}))
      result = result.withLabels({ priority }, length);
    return result;
  },
);
await adapter.run();
