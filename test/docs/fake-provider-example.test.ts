/**
 * The fake provider example of docs/library.md, run as a test: the document shows this file from its imports on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdapter, createFakeProvider, serviceUnavailable } from 'metrics-adapter';

test('a client of the external metrics API, against a fake provider', async () => {
  const fake = createFakeProvider({
    external: [{ metric: 'queue_length', namespace: 'shop', labels: { queue: 'mail' }, value: 42 }],
  });
  const adapter = createAdapter({ external: fake.external });
  const { port } = await adapter.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/queue_length`;
  const read = async () =>
    ((await (await fetch(url)).json()) as { items: { value: string }[] }).items.map((i) => i.value);
  try {
    assert.deepEqual(await read(), ['42']);
    fake.setExternal({ metric: 'queue_length', namespace: 'shop', labels: { queue: 'mail' }, value: 0.5 });
    assert.deepEqual(await read(), ['500m']);
    fake.failWith(serviceUnavailable('the queue service is down'));
    assert.equal((await fetch(url)).status, 503);
    assert.deepEqual(fake.requests.at(-1), { api: 'external', metric: 'queue_length', namespace: 'shop', metricSelector: '' });
  } finally {
    await adapter.close();
  }
});

test('docs/library.md shows this example', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL(import.meta.url), 'utf8');
  const example = source.slice(source.indexOf('import assert'), source.indexOf('\ntest(\'docs/library.md')).trim();
  const document = await readFile(new URL('../../docs/library.md', import.meta.url), 'utf8');
  assert.ok(document.includes(`\`\`\`ts\n${example}\n\`\`\``), 'docs/library.md holds the example as a ts block');
});
