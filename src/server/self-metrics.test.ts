import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSelfMetrics } from './self-metrics.js';

test('requests render as a counter per code and a cumulative histogram per verb, group and version', async () => {
  const metrics = createSelfMetrics(() => ({ custom: 3, external: 1 }));
  metrics.observe('GET', 'custom.metrics.k8s.io', 'v1beta2', 200, 0.0004);
  metrics.observe('GET', 'custom.metrics.k8s.io', 'v1beta2', 200, 0.003);
  metrics.observe('GET', 'custom.metrics.k8s.io', 'v1beta2', 404, 7);
  const text = await metrics.render();
  const labels = 'verb="GET",group="custom.metrics.k8s.io",version="v1beta2"';
  assert.match(text, new RegExp(`metrics_adapter_requests_total\\{${labels},code="200"\\} 2\\n`));
  assert.match(text, new RegExp(`metrics_adapter_requests_total\\{${labels},code="404"\\} 1\\n`));
  assert.match(text, new RegExp(`_bucket\\{le="0.0005",${labels}\\} 1\\n`));
  assert.match(text, new RegExp(`_bucket\\{le="0.001",${labels}\\} 1\\n`));
  assert.match(text, new RegExp(`_bucket\\{le="0.005",${labels}\\} 2\\n`));
  assert.match(text, new RegExp(`_bucket\\{le="5",${labels}\\} 2\\n`));
  assert.match(text, new RegExp(`_bucket\\{le="\\+Inf",${labels}\\} 3\\n`));
  assert.match(text, new RegExp(`_count\\{${labels}\\} 3\\n`));
  assert.match(text, /metrics_adapter_series\{api="custom"\} 3/);
  assert.match(text, /process_cpu_user_seconds_total/);
});
