import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../../test/helpers/fake-kube-apiserver.js';
import { createSilentLogger } from '../log/index.js';
import { createDiscoveryResourceMapper, type DiscoveryResourceMapper } from './discovery-resource-mapper.js';
import { loadKubeClient } from './kube-client.js';

describe('discovery RESTMapper against a fake kube-apiserver', () => {
  let fake: FakeKubeApiServer;
  let mapper: DiscoveryResourceMapper;

  before(async () => {
    fake = await startFakeKubeApiServer();
    const client = (await loadKubeClient({ kubeconfig: fake.kubeconfig }))!;
    mapper = await createDiscoveryResourceMapper({ client, logger: createSilentLogger(), missRefreshMs: 60 * 60_000 });
  });
  after(async () => {
    mapper?.close();
    await fake?.close();
  });

  test('unknown names pass through split at the first dot, as Go ParseGroupResource', () => {
    assert.deepEqual(mapper.resourceFor('gadgets.example.com'), { group: 'example.com', resource: 'gadgets' });
    assert.deepEqual(mapper.resourceFor('things'), { group: '', resource: 'things' });
    assert.equal(mapper.locate({ group: 'example.com', resource: 'gadgets' }), undefined);
  });

  test('plural, singular, Kind and short names map to the plural group-qualified resource', () => {
    const cases: [string, string, string][] = [
      ['pods', '', 'pods'],
      ['pod', '', 'pods'],
      ['Pod', '', 'pods'],
      ['po', '', 'pods'],
      ['deployments', 'apps', 'deployments'],
      ['Deployment', 'apps', 'deployments'],
      ['deploy', 'apps', 'deployments'],
      ['deployments.apps', 'apps', 'deployments'],
      ['deployment.apps', 'apps', 'deployments'],
      ['sts', 'apps', 'statefulsets'],
      ['wd', 'example.com', 'widgets'],
      ['Widget', 'example.com', 'widgets'],
      ['widgets.example.com', 'example.com', 'widgets'],
      // The core group claims `events` before events.k8s.io does, as client-go's priority order has it.
      ['events', '', 'events'],
      ['ev', '', 'events'],
      ['events.events.k8s.io', 'events.k8s.io', 'events'],
      ['nodes', '', 'nodes'],
      ['ns', '', 'namespaces'],
    ];
    for (const [text, group, resource] of cases) assert.deepEqual(mapper.resourceFor(text), { group, resource }, text);
  });

  test('kindFor gives describedObject kind, apiVersion and scope from discovery', () => {
    assert.deepEqual(mapper.kindFor({ group: '', resource: 'pods' }), {
      kind: 'Pod',
      apiVersion: 'v1',
      namespaced: true,
    });
    assert.deepEqual(mapper.kindFor({ group: 'apps', resource: 'deployments' }), {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      namespaced: true,
    });
    assert.deepEqual(mapper.kindFor({ group: 'example.com', resource: 'widgets' }), {
      kind: 'Widget',
      apiVersion: 'example.com/v1',
      namespaced: true,
    });
    assert.deepEqual(mapper.kindFor({ group: '', resource: 'nodes' }), {
      kind: 'Node',
      apiVersion: 'v1',
      namespaced: false,
    });
  });

  test('discovery is read once and cached; subresources and the metrics groups are left out', () => {
    for (let i = 0; i < 100; i++) mapper.resourceFor('Deployment');
    assert.equal(fake.count('discovery', '/apis/apps/v1'), 1);
    assert.equal(fake.count('discovery', '/api/v1'), 1);
    assert.equal(fake.count('discovery', '/apis/custom.metrics.k8s.io/v1beta2'), 0);
    assert.deepEqual(mapper.resourceFor('pods/status'), { group: '', resource: 'pods/status' });
  });

  test('refresh reads discovery again', async () => {
    assert.equal(await mapper.refresh(), true);
    assert.equal(fake.count('discovery', '/apis/apps/v1'), 2);
  });
});

test('without a reachable cluster the built-in table answers until discovery succeeds', async () => {
  const fake = await startFakeKubeApiServer();
  const client = (await loadKubeClient({ kubeconfig: fake.kubeconfig }))!;
  await fake.close();
  const mapper = await createDiscoveryResourceMapper({ client, logger: createSilentLogger() });
  try {
    assert.equal(mapper.loaded, false);
    assert.deepEqual(mapper.resourceFor('deploy'), { group: 'apps', resource: 'deployments' });
    assert.deepEqual(mapper.kindFor({ group: 'apps', resource: 'deployments' }), {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      namespaced: true,
    });
    assert.equal(mapper.locate({ group: '', resource: 'pods' })?.version, 'v1');
  } finally {
    mapper.close();
  }
});
