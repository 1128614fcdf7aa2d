/**
 * Test support: the metrics the explain tests' HPA reads, written to a running adapter: three web
 * pods at `podValue`, a db pod the selector must leave out, a Service's Object metric and a queue.
 * @module
 */
import assert from 'node:assert/strict';
import { createClient } from './https-client.js';

export async function writeExplainMetrics(
  adapter: { readonly url: string; readonly caFile: string },
  podValue: string,
): Promise<void> {
  const send = createClient(adapter.url, adapter.caFile);
  const writes: [string, string][] = [
    ...['web-1', 'web-2', 'web-3'].map((pod): [string, string] => [
      `/write-metrics/namespaces/default/pods/${pod}/http_requests?objectLabels=app%3Dweb`,
      `"${podValue}"`,
    ]),
    ['/write-metrics/namespaces/default/pods/db-1/http_requests?objectLabels=app%3Ddb', '"9000"'],
    ['/write-metrics/namespaces/default/services/web/requests_per_second?labels=method%3DGET', '"15"'],
    ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', '"95"'],
  ];
  for (const [path, body] of writes) {
    const res = await send(path, { method: 'POST', body });
    assert.equal(res.status, 200, `${path}: ${res.body}`);
  }
}
