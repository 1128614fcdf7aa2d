import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../test/helpers/fake-kube-apiserver.js';
import { StatusError } from '../api/errors.js';
import { createSilentLogger } from '../log/index.js';
import type { Backend } from '../providers/backend.js';
import memoryBackend from '../providers/memory/index.js';
import type { CustomMetricInfo } from '../providers/provider.js';
import { parseQuantity } from '../quantity/index.js';
import { everything, parseSelector } from '../selector/index.js';
import { createKubeDeps, type KubeDeps } from './kube-deps.js';

const ctx = { signal: new AbortController().signal };
const pods: CustomMetricInfo = {
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric: 'http_requests',
};

/** Polls `check` until it stops throwing; the watch delivers events asynchronously. */
async function eventually(check: () => Promise<void> | void, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('informer object lister against a fake kube-apiserver', () => {
  let fake: FakeKubeApiServer;
  let kube: KubeDeps;
  let backend: Backend;

  const write = (
    name: string,
    value: string,
    namespace = 'default',
    info = pods,
    objectLabels?: Record<string, string>,
  ) =>
    backend.writer!.writeCustomMetric({
      info,
      name: { namespace, name },
      value: parseQuantity(value),
      metricLabels: {},
      objectLabels,
      timestamp: Date.now(),
    });
  const names = async (selector: string, namespace = 'default', info = pods) =>
    (
      await backend.custom!.getMetricBySelector(
        namespace,
        selector === '' ? everything : parseSelector(selector),
        info,
        everything,
        ctx,
      )
    )
      .map((v) => v.describedObject.name)
      .sort();
  const lastWatchQuery = () =>
    [...fake.requests].reverse().find((r) => r.kind === 'watch' && r.path === '/api/v1/pods')!.query;

  before(async () => {
    fake = await startFakeKubeApiServer();
    for (const [name, app] of [
      ['web-1', 'web'],
      ['web-2', 'web'],
      ['db-1', 'db'],
    ] as const) {
      fake.upsert('pods', {
        name,
        namespace: 'default',
        labels: { app, 'pod-template-hash': '7c9d' },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        status: { phase: 'Running' },
      });
    }
    fake.upsert('pods', { name: 'web-9', namespace: 'other', labels: { app: 'web' } });
    kube = await createKubeDeps({ kubeconfig: fake.kubeconfig, logger: createSilentLogger(), inCluster: false });
    backend = await memoryBackend.create(
      {},
      {},
      {
        logger: createSilentLogger(),
        resourceMapper: kube.resourceMapper,
        ...(kube.objectLister ? { objectLister: kube.objectLister } : {}),
      },
    );
    await write('web-1', '1');
    await write('db-1', '2');
    // A value for a pod the cluster does not have, and one in another namespace.
    await write('ghost-1', '3', 'default', pods, { app: 'web' });
    await write('web-9', '4', 'other');
  });
  after(async () => {
    await backend?.close();
    await kube?.close();
    await fake?.close();
  });

  test('no informer starts before a selector query needs one', () => {
    assert.equal(fake.count('list'), 0);
    assert.equal(fake.count('watch'), 0);
  });

  test('a selector query answers exactly the matching cluster objects that have a value', async () => {
    // web-2 exists without a value (skipped); ghost-1 has a value but no pod (left out); web-9 is elsewhere.
    assert.deepEqual(await names('app=web'), ['web-1']);
    assert.deepEqual(await names(''), ['db-1', 'web-1']);
    assert.deepEqual(await names('app in (web,db),pod-template-hash=7c9d'), ['db-1', 'web-1']);
    assert.deepEqual(await names('app=web', 'other'), ['web-9']);
    assert.deepEqual(await names('app=none'), []);
    assert.equal(fake.count('list', '/api/v1/pods'), 1);
  });

  test('queries are answered from the cache: no API call per metric request', async () => {
    await fake.waitForWatches('pods');
    const before = fake.requests.length;
    for (let i = 0; i < 200; i++)
      assert.deepEqual(await names(i % 2 === 0 ? 'app=web' : 'app!=web'), i % 2 === 0 ? ['web-1'] : ['db-1']);
    const named = await backend.custom!.getMetricByName({ namespace: 'default', name: 'web-1' }, pods, everything, ctx);
    assert.equal(named.value, '1');
    assert.equal(fake.requests.length, before, 'requests made while answering metric queries');
  });

  test('a change is seen after its watch event, without a relist', async () => {
    fake.upsert('pods', { name: 'db-1', namespace: 'default', labels: { app: 'web' } });
    await write('web-2', '5');
    fake.upsert('pods', { name: 'web-3', namespace: 'default', labels: { app: 'web' } });
    await write('web-3', '6');
    await eventually(
      async () => assert.deepEqual(await names('app=web'), ['db-1', 'web-1', 'web-2', 'web-3']),
      'after relabel and add',
    );
    fake.remove('pods', 'default', 'web-3');
    await eventually(async () => assert.deepEqual(await names('app=web'), ['db-1', 'web-1', 'web-2']), 'after delete');
    assert.equal(fake.count('list', '/api/v1/pods'), 1);
    assert.equal(lastWatchQuery().get('allowWatchBookmarks'), 'true');
  });

  test('a watch the server closes is resumed from the last resourceVersion, bookmarks included', async () => {
    const watches = fake.count('watch', '/api/v1/pods');
    // Other resources move the shared resourceVersion on; a bookmark carries it to the pods watch.
    const nodeRv = fake.upsert('nodes', { name: 'node-1', labels: { 'kubernetes.io/os': 'linux' } });
    fake.bookmark();
    fake.closeWatches();
    await eventually(() => assert.equal(fake.count('watch', '/api/v1/pods'), watches + 1), 'a new watch');
    assert.equal(lastWatchQuery().get('resourceVersion'), nodeRv);
    assert.equal(fake.count('list', '/api/v1/pods'), 1, 'resumed without a relist');
    fake.upsert('pods', { name: 'db-1', namespace: 'default', labels: { app: 'db' } });
    await eventually(
      async () => assert.deepEqual(await names('app=web'), ['web-1', 'web-2']),
      'an event on the resumed watch',
    );
  });

  test('410 Gone forces a relist, which catches changes no watch event announced', async () => {
    await fake.waitForWatches('pods');
    fake.upsert('pods', { name: 'web-1', namespace: 'default', labels: { app: 'api' } }, { announce: false });
    fake.remove('pods', 'default', 'web-2', { announce: false });
    fake.compact();
    fake.expireWatches();
    await eventually(() => assert.equal(fake.count('list', '/api/v1/pods'), 2), 'a relist');
    await eventually(async () => assert.deepEqual(await names('app=web'), []), 'the relisted state');
    assert.deepEqual(await names('app=api'), ['web-1']);
    // A resumed watch from before the compaction gets 410 too, and lists again.
    await fake.waitForWatches('pods');
    fake.upsert('pods', { name: 'web-1', namespace: 'default', labels: { app: 'web' } }, { announce: false });
    fake.compact();
    fake.closeWatches();
    await eventually(
      () => assert.equal(fake.count('list', '/api/v1/pods'), 3),
      'a relist after a resume from a compacted version',
    );
    await eventually(
      async () => assert.deepEqual(await names('app=web'), ['web-1']),
      'the state after the second relist',
    );
  });

  test('a resource the cluster does not serve falls back to the objectLabels given on writes', async () => {
    const gadgets: CustomMetricInfo = {
      groupResource: { group: 'example.com', resource: 'gadgets' },
      namespaced: true,
      metric: 'm',
    };
    await write('g-1', '1', 'default', gadgets, { app: 'web' });
    await write('g-2', '1', 'default', gadgets, { app: 'db' });
    assert.deepEqual(await names('app=web', 'default', gadgets), ['g-1']);
    assert.equal(fake.count('list', '/apis/example.com/v1/gadgets'), 0);
  });

  test('a list the cluster forbids is a 503, not a 500 or a hang', async () => {
    const widgets: CustomMetricInfo = {
      groupResource: { group: 'example.com', resource: 'widgets' },
      namespaced: true,
      metric: 'm',
    };
    fake.forbid('widgets.example.com');
    await write('w-1', '1', 'default', widgets);
    await assert.rejects(
      async () => names('app=web', 'default', widgets),
      (error: unknown) =>
        error instanceof StatusError &&
        error.code === 503 &&
        /object cache for widgets.example.com/.test(error.message),
    );
  });
});

test('an informer left idle is stopped and lists again on its next use', async () => {
  const fake = await startFakeKubeApiServer();
  fake.upsert('nodes', { name: 'node-1', labels: { zone: 'a' } });
  const { createDiscoveryResourceMapper } = await import('./discovery-resource-mapper.js');
  const { createInformerObjectLister } = await import('./informer-lister.js');
  const { loadKubeClient } = await import('./kube-client.js');
  const client = (await loadKubeClient({ kubeconfig: fake.kubeconfig }))!;
  const mapper = await createDiscoveryResourceMapper({ client, logger: createSilentLogger() });
  const lister = createInformerObjectLister({ client, mapper, logger: createSilentLogger(), idleMs: 1 });
  try {
    const nodes = { group: '', resource: 'nodes' };
    assert.deepEqual([...(await lister.matching(nodes, '', parseSelector('zone=a')))!], ['node-1']);
    await fake.waitForWatches('nodes');
    await eventually(() => assert.equal(fake.openWatches('nodes'), 0), 'the idle informer stopped');
    assert.deepEqual([...(await lister.matching(nodes, '', everything))!], ['node-1']);
    assert.equal(fake.count('list', '/api/v1/nodes'), 2);
  } finally {
    await lister.close();
    mapper.close();
    await fake.close();
  }
});
