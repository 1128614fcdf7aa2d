/**
 * The behaviour suite every writable back end must pass (memory now, Redis later): what the write
 * API stores, the provider contract answers. A back end's own test calls `describeWritableBackend`
 * and then adds its own cases, as hono's router implementations share `common.case.test.ts`.
 * @module
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { parseQuantity } from '../quantity/index.js';
import { everything, parseSelector } from '../selector/index.js';
import type { Backend } from './backend.js';
import type { CustomMetricWrite } from './write.js';
import type { CustomMetricInfo } from './provider.js';

const ctx = { signal: new AbortController().signal };
const pods: CustomMetricInfo = { groupResource: { group: '', resource: 'pods' }, namespaced: true, metric: 'http_requests' };
const nodes: CustomMetricInfo = { groupResource: { group: '', resource: 'nodes' }, namespaced: false, metric: 'temperature' };

function podWrite(name: string, value: string, objectLabels: Record<string, string> | undefined, metricLabels: Record<string, string> = {}): CustomMetricWrite {
  return { info: pods, name: { namespace: 'conformance', name }, value: parseQuantity(value), metricLabels, objectLabels, timestamp: Date.now() };
}

function isNotFound(error: unknown): boolean {
  return error instanceof StatusError && error.code === 404 && error.reason === 'NotFound';
}

/** Runs the shared cases against a fresh back end from `create`; it must have custom, external and writer. */
export function describeWritableBackend(name: string, create: () => Promise<Backend>): void {
  describe(`${name} back end: conformance`, () => {
    let backend: Backend;
    before(async () => {
      backend = await create();
      assert.ok(backend.custom && backend.external && backend.writer, 'a writable back end serves custom, external and the writer');
      const w = backend.writer;
      await w.writeCustomMetric(podWrite('web-1', '300m', { app: 'web' }, { method: 'GET' }));
      await w.writeCustomMetric(podWrite('web-2', '2', { app: 'web' }));
      await w.writeCustomMetric(podWrite('db-1', '1.5', { app: 'db' }));
      await w.writeCustomMetric({ info: nodes, name: { namespace: '', name: 'node-1' }, value: parseQuantity('45'), metricLabels: {}, objectLabels: undefined, timestamp: Date.now() });
      await w.writeExternalMetric({ namespace: null, metric: 'queue', labels: { q: 'a' }, value: parseQuantity('10'), timestamp: Date.now() });
      await w.writeExternalMetric({ namespace: 'conformance', metric: 'queue', labels: { q: 'b' }, value: parseQuantity('20'), timestamp: Date.now() });
    });
    after(async () => backend?.close());

    test('unknown objects, metrics and selector mismatches are 404 NotFound', async () => {
      const custom = backend.custom!;
      await assert.rejects(async () => custom.getMetricByName({ namespace: 'conformance', name: 'nope' }, pods, everything, ctx), isNotFound);
      await assert.rejects(async () => custom.getMetricByName({ namespace: 'conformance', name: 'web-1' }, { ...pods, metric: 'nope' }, everything, ctx), isNotFound);
      await assert.rejects(async () => custom.getMetricByName({ namespace: 'conformance', name: 'web-1' }, pods, parseSelector('method=POST'), ctx), isNotFound);
      await assert.rejects(async () => backend.external!.getExternalMetric('conformance', everything, { metric: 'nope' }, ctx), isNotFound);
    });

    test('a named object answers exactly one value with its canonical quantity and described object', async () => {
      const value = await backend.custom!.getMetricByName({ namespace: 'conformance', name: 'db-1' }, pods, everything, ctx);
      assert.equal(value.value, '1500m');
      assert.deepEqual(value.describedObject, { kind: 'Pod', namespace: 'conformance', name: 'db-1', apiVersion: 'v1' });
      assert.deepEqual(value.metric, { name: 'http_requests', selector: null });
      assert.ok(Math.abs(value.timestamp - Date.now()) < 5000);
      const node = await backend.custom!.getMetricByName({ namespace: '', name: 'node-1' }, nodes, everything, ctx);
      assert.deepEqual(node.describedObject, { kind: 'Node', name: 'node-1', apiVersion: 'v1' });
    });

    test('a selector query answers exactly the matching objects that have a value', async () => {
      const names = async (selector: string, metricSelector = '') => (await backend.custom!.getMetricBySelector(
        'conformance', selector === '' ? everything : parseSelector(selector), pods,
        metricSelector === '' ? everything : parseSelector(metricSelector), ctx,
      )).map((v) => v.describedObject.name).sort();
      assert.deepEqual(await names('app=web'), ['web-1', 'web-2']);
      assert.deepEqual(await names('app in (web,db),app!=web'), ['db-1']);
      assert.deepEqual(await names(''), ['db-1', 'web-1', 'web-2']);
      assert.deepEqual(await names('app=web', 'method=GET'), ['web-1']);
      assert.deepEqual(await names('app=none'), []);
      assert.deepEqual(await backend.custom!.getMetricBySelector('elsewhere', everything, pods, everything, ctx), []);
    });

    test('external series: global and namespaced, filtered by label selector', async () => {
      const values = async (namespace: string, selector: string) => (await backend.external!.getExternalMetric(
        namespace, selector === '' ? everything : parseSelector(selector), { metric: 'queue' }, ctx,
      )).map((v) => `${v.metricName}{q=${v.metricLabels.q}}=${v.value}`).sort();
      assert.deepEqual(await values('conformance', ''), ['queue{q=a}=10', 'queue{q=b}=20']);
      assert.deepEqual(await values('other', ''), ['queue{q=a}=10']);
      assert.deepEqual(await values('conformance', 'q=b'), ['queue{q=b}=20']);
    });

    test('discovery lists what was written, without throwing', () => {
      const custom = backend.custom!.listAllMetrics().map((i) => `${i.groupResource.resource}/${i.metric}/${i.namespaced}`).sort();
      assert.deepEqual(custom, ['nodes/temperature/false', 'pods/http_requests/true']);
      assert.deepEqual(backend.external!.listAllExternalMetrics(), [{ metric: 'queue' }]);
      assert.equal(backend.readiness().ready, true);
    });
  });
}
