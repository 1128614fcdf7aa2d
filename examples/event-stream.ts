/**
 * An external metric fed by an event stream: each line on stdin is a JSON event such as
 * `{"region": "eu", "waiting": 12}`; the metric refreshes on every event, with one variant per region
 * and their sum as the base value.
 *
 *   printf '{"region":"eu","waiting":12}\n' | npx tsx examples/event-stream.ts
 * kubectl --kubeconfig .certs/kubeconfig get --raw
 * '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/jobs_waiting?labelSelector=region%3Deu'
 */
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { createAdapter, value } from 'metrics-adapter';

const waiting = new Map<string, number>();
const changes = new EventEmitter();

const adapter = createAdapter();
adapter.addMetric({ name: 'jobs_waiting', trigger: changes }, () => {
  let result = value([...waiting.values()].reduce((sum, n) => sum + n, 0));
  for (const [region, n] of waiting) result = result.withLabels({ region }, n);
  return result;
});
await adapter.run();

for await (const line of createInterface({ input: process.stdin })) {
  try {
    const event = JSON.parse(line) as { region: string; waiting: number };
    waiting.set(event.region, event.waiting);
    changes.emit('change');
  } catch {
    process.stderr.write(`ignoring a line that is not a JSON event: ${line}\n`);
  }
}
