import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupResource } from '../api/types.js';
import { parseGroupResource, type ResourceMapper } from '../kube/resource-mapper.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import type { CustomMetricWrite, ExternalMetricWrite, MetricsWriter } from '../providers/write.js';
import { createWriteApi } from './write-api.js';

function recordingWriter(): MetricsWriter & {
  readonly custom: CustomMetricWrite[];
  readonly external: ExternalMetricWrite[];
} {
  const custom: CustomMetricWrite[] = [];
  const external: ExternalMetricWrite[] = [];
  return {
    custom,
    external,
    writeCustomMetric: (write) => {
      custom.push(write);
    },
    writeExternalMetric: async (write) => {
      external.push(write);
    },
  };
}

/** The message of a Status success, checked to be one. */
function messageOf(answer: string | Promise<string>): string {
  assert.equal(typeof answer, 'string', 'a back end that stores at once is answered at once');
  const status = JSON.parse(answer as string) as { kind: string; status: string; code: number; message: string };
  assert.deepEqual([status.kind, status.status, status.code], ['Status', 'Success', 200]);
  return status.message;
}

test('a path written again with another query stores the new labels', () => {
  const writer = recordingWriter();
  const api = createWriteApi(writer, createStaticResourceMapper(), () => 5000);
  const path = '/write-metrics/namespaces/ns/pods/p-1/hits';
  assert.equal(
    messageOf(api.writeCustom(path, 'labels=a%3D1&objectLabels=app%3Dweb', '"2"')),
    'stored hits=2 for pods ns/p-1',
  );
  assert.equal(messageOf(api.writeCustom(path, 'labels=a%3D2', '"300m"')), 'stored hits=300m for pods ns/p-1');
  assert.equal(messageOf(api.writeCustom(path, 'labels=a%3D2', '0.3')), 'stored hits=300m for pods ns/p-1');
  assert.deepEqual(
    writer.custom.map((w) => [w.metricLabels, w.objectLabels, w.value.toString(), w.timestamp]),
    [
      [{ a: '1' }, { app: 'web' }, '2', 5000],
      [{ a: '2' }, undefined, '300m', 5000],
      [{ a: '2' }, undefined, '300m', 5000],
    ],
  );
  assert.deepEqual(writer.custom[0]!.info, {
    groupResource: { group: '', resource: 'pods' },
    namespaced: true,
    metric: 'hits',
  });
  assert.deepEqual(writer.custom[0]!.name, { namespace: 'ns', name: 'p-1' });
});

test('a bad path, name or body is refused every time, not only the first', () => {
  const writer = recordingWriter();
  const api = createWriteApi(writer, createStaticResourceMapper());
  for (let i = 0; i < 2; i++) {
    assert.throws(() => api.writeCustom('/write-metrics/namespaces/ns/pods/Bad_Name/hits', '', '"1"'), /object name/);
    assert.throws(() => api.writeCustom('/write-metrics/namespaces/ns/pods/p/hits', 'labels=%3D', '"1"'), /labels/);
    assert.throws(() => api.writeCustom('/write-metrics/namespaces/ns/pods/p/hits', '', '"1x"'), /quantity/i);
  }
  assert.equal(writer.custom.length, 0);
});

test('a resource the mapper maps anew is written under its new group', () => {
  let group = 'old.example.com';
  const mapped = new Map<string, GroupResource>();
  const mapper: ResourceMapper = {
    resourceFor(text) {
      if (text !== 'widgets') return parseGroupResource(text);
      const key = `widgets.${group}`;
      let groupResource = mapped.get(key);
      if (groupResource === undefined) mapped.set(key, (groupResource = Object.freeze({ group, resource: 'widgets' })));
      return groupResource;
    },
    kindFor: () => ({ kind: 'Widget', apiVersion: `${group}/v1`, namespaced: true }),
  };
  const writer = recordingWriter();
  const api = createWriteApi(writer, mapper);
  const path = '/write-metrics/namespaces/ns/widgets/w/hits';
  assert.equal(messageOf(api.writeCustom(path, '', '1')), 'stored hits=1 for widgets.old.example.com ns/w');
  group = 'new.example.com';
  assert.equal(messageOf(api.writeCustom(path, '', '1')), 'stored hits=1 for widgets.new.example.com ns/w');
  assert.deepEqual(
    writer.custom.map((w) => w.info.groupResource.group),
    ['old.example.com', 'new.example.com'],
  );
});

test('an external write answers once its back end has stored it; a changed query changes its labels', async () => {
  const writer = recordingWriter();
  const api = createWriteApi(writer, createStaticResourceMapper());
  const path = '/write-external-metrics/namespaces/ns/queue';
  assert.equal(messageOf(await api.writeExternal(path, 'labels=q%3Da', '7')), 'stored queue=7 for namespace ns');
  assert.equal(messageOf(await api.writeExternal(path, 'labels=q%3Db', '"8"')), 'stored queue=8 for namespace ns');
  assert.equal(
    messageOf(await api.writeExternal('/write-external-metrics/queue', '', '9')),
    'stored queue=9 for every namespace',
  );
  assert.deepEqual(
    writer.external.map((w) => [w.namespace, w.labels, w.value.toString()]),
    [
      ['ns', { q: 'a' }, '7'],
      ['ns', { q: 'b' }, '8'],
      [null, {}, '9'],
    ],
  );
});
