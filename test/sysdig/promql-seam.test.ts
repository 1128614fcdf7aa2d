/**
 * The `mode: promql` seam: the HTTP client the sysdig back end hands to the Prometheus back end reaches
 * Sysdig's PromQL-compatible API at `<url>/prometheus` with the bearer token (fake Sysdig over TLS).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createUpstreamClient } from '../../src/providers/http/upstream-client.js';
import { loadPromqlDelegate, promqlPathPrefix } from '../../src/providers/sysdig/promql-mode.js';
import { startFakeSysdig, type FakeSysdig } from '../helpers/fake-sysdig.js';

let fake: FakeSysdig;
before(async () => {
  fake = await startFakeSysdig();
  fake.entities = [{ labels: { 'kubernetes.pod.name': 'web-1' }, values: { 'net.http.request.count': 12 } }];
});
after(() => fake.close());

test('an instant query through the seam client carries the bearer token to /prometheus/api/v1/query', async () => {
  const http = createUpstreamClient({ url: fake.url + promqlPathPrefix, ca: await readFile(fake.caFile, 'utf8'), token: async () => fake.token, timeoutMs: 2000 });
  try {
    const query = encodeURIComponent('net_http_request_count{kubernetes_pod_name="web-1"}');
    const res = await http.get(`/api/v1/query?query=${query}`);
    assert.equal(res.status, 200, res.body);
    const body = JSON.parse(res.body) as { status: string; data: { resultType: string; result: { value: [number, string] }[] } };
    assert.equal(body.status, 'success');
    assert.equal(body.data.resultType, 'vector');
    assert.equal(body.data.result[0]!.value[1], '12');
    assert.equal(fake.requests[0]!.authorization, `Bearer ${fake.token}`);
    assert.match(fake.requests[0]!.path, /^\/prometheus\/api\/v1\/query\?/);
  } finally {
    http.close();
  }
});

test('until the Prometheus back end is merged there is no delegate (issue 10)', async () => {
  assert.equal(await loadPromqlDelegate(), undefined);
});
