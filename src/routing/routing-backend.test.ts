import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceUnavailable, StatusError } from '../api/errors.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { createSilentLogger } from '../log/index.js';
import type { Backend } from '../providers/backend.js';
import type { CustomMetricWrite } from '../providers/write.js';
import memoryBackend from '../providers/memory/index.js';
import type { CustomMetricInfo } from '../providers/provider.js';
import { parseQuantity } from '../quantity/index.js';
import { everything } from '../selector/index.js';
import { compileMetricMatcher } from './metric-matcher.js';
import { RoutingBackend } from './routing-backend.js';
import { RoutingTable, type RoutedBackend } from './routing-table.js';

const ctx = { signal: new AbortController().signal };
const mapper = createStaticResourceMapper();
const pods = (metric: string): CustomMetricInfo => ({
  groupResource: { group: '', resource: 'pods' },
  namespaced: true,
  metric,
});

function write(metric: string, name: string, value: string): CustomMetricWrite {
  return {
    info: pods(metric),
    name: { namespace: 'default', name },
    value: parseQuantity(value),
    metricLabels: {},
    objectLabels: { app: 'web' },
    timestamp: Date.now(),
  };
}

/** A back end that cannot answer, as a Prometheus that is down would: every query is a 503. */
const promList = [pods('prom_requests')];
const downBackend: Backend = {
  custom: {
    getMetricByName: () => Promise.reject(serviceUnavailable('prometheus is down')),
    getMetricBySelector: () => Promise.reject(serviceUnavailable('prometheus is down')),
    listAllMetrics: () => promList,
  },
  readiness: () => ({ ready: false, message: 'connection refused' }),
  close: async () => undefined,
};

describe('routing several back ends', () => {
  let a: Backend;
  let b: Backend;
  let routing: RoutingBackend;
  const routed = (name: string, backend: Backend): RoutedBackend => ({
    name,
    kind: name === 'prom' ? 'prometheus' : 'memory',
    identity: name,
    backend,
  });

  before(async () => {
    const deps = { logger: createSilentLogger(), resourceMapper: mapper };
    a = await memoryBackend.create({}, {}, deps);
    b = await memoryBackend.create({}, {}, deps);
    const table = new RoutingTable(
      [routed('a', a), routed('b', b), routed('prom', downBackend)],
      [
        { backend: 'b', matches: compileMetricMatcher({ prefix: 'team_b_' }) },
        { backend: 'prom', matches: compileMetricMatcher({ regex: 'prom_.*', api: 'custom' }) },
      ],
      [],
    );
    routing = new RoutingBackend(table, mapper, { acceptsWrites: true });
  });
  after(() => routing.close());

  test('a write goes to the routed back end and is read back through the router only from there', async () => {
    await routing.writer!.writeCustomMetric(write('team_b_queue', 'web-1', '5'));
    await routing.writer!.writeCustomMetric(write('requests', 'web-1', '300m'));
    assert.equal(
      (await b.custom!.getMetricByName({ namespace: 'default', name: 'web-1' }, pods('team_b_queue'), everything, ctx))
        .value,
      '5',
    );
    assert.deepEqual(
      await a.custom!.getMetricBySelector('default', everything, pods('team_b_queue'), everything, ctx),
      [],
    );
    assert.equal(
      (await routing.custom.getMetricByName({ namespace: 'default', name: 'web-1' }, pods('requests'), everything, ctx))
        .value,
      '300m',
    );
    const list = await routing.custom.getMetricBySelector('default', everything, pods('team_b_queue'), everything, ctx);
    assert.deepEqual(
      list.map((v) => v.value),
      ['5'],
    );
  });

  test('a write routed to a back end without a writer is a 400 naming the back end', async () => {
    await assert.rejects(
      async () => routing.writer!.writeCustomMetric(write('prom_requests', 'web-1', '1')),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 400 &&
        /served by back end prom \(prometheus\), which does not accept writes/.test(e.message),
    );
  });

  test('a back end that is down fails only its own metrics, and the router stays ready', async () => {
    await assert.rejects(
      async () => routing.custom.getMetricBySelector('default', everything, pods('prom_requests'), everything, ctx),
      (e: unknown) => e instanceof StatusError && e.code === 503,
    );
    assert.equal(
      (await routing.custom.getMetricByName({ namespace: 'default', name: 'web-1' }, pods('requests'), everything, ctx))
        .value,
      '300m',
    );
    assert.equal(routing.readiness().ready, true);
    assert.match(routing.readiness().message ?? '', /prom \(connection refused\)/);
    assert.deepEqual(
      routing.health().map((h) => [h.name, h.ready]),
      [
        ['a', true],
        ['b', true],
        ['prom', false],
      ],
    );
    assert.match(routing.selfMetrics(), /metrics_adapter_backend_up\{backend="prom",kind="prometheus"\} 0/);
  });

  test('discovery merges every back end, each metric once, and keeps its identity while nothing changes', async () => {
    await b.writer!.writeCustomMetric(write('requests', 'web-9', '1'));
    const list = routing.custom.listAllMetrics();
    assert.deepEqual(list.map((i) => i.metric).sort(), ['prom_requests', 'requests', 'team_b_queue']);
    assert.equal(routing.custom.listAllMetrics(), list);
    await a.writer!.writeCustomMetric(write('brand_new', 'web-1', '1'));
    assert.notEqual(routing.custom.listAllMetrics(), list);
  });

  test('a metric no route names goes to the first back end that lists it', async () => {
    await b.writer!.writeExternalMetric({
      namespace: null,
      metric: 'only_in_b',
      labels: {},
      value: parseQuantity('3'),
      timestamp: Date.now(),
    });
    const values = await routing.external.getExternalMetric('default', everything, { metric: 'only_in_b' }, ctx);
    assert.deepEqual(
      values.map((v) => v.value),
      ['3'],
    );
  });

  test('a swapped table serves from the next request on and returns the back ends it retired', async () => {
    const next = new RoutingTable([routed('a', a)], [], []);
    const retired = routing.swap(next);
    assert.deepEqual(
      retired.map((r) => r.name),
      ['b', 'prom'],
    );
    await assert.rejects(
      async () =>
        routing.custom.getMetricByName({ namespace: 'default', name: 'web-1' }, pods('team_b_queue'), everything, ctx),
      (e: unknown) => e instanceof StatusError && e.code === 404,
    );
  });
});
