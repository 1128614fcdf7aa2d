/**
 * The read cases of a custom metrics provider: discovery, named objects and `*`, namespaced and cluster-scoped
 * objects, labelSelector and metricSelector semantics, and 404s (contract: provider.ts CustomMetricsProvider).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everything, parseSelector, toLabelSelector, type Selector } from '../../selector/index.js';
import type { CustomMetricInfo, CustomMetricsProvider, MetricValue } from '../provider.js';
import { assertCanonical, assertNothing, assertTimestamp, assertWindow, rejectsWithStatus } from './expect.js';
import { fixture, namespace, nodes, otherNamespace, pods, type FixtureObject } from './fixture.js';
import type { ConformanceSubject } from './subject.js';

const ctx = { signal: new AbortController().signal };
const kinds: Record<string, string> = { pods: 'Pod', nodes: 'Node', namespaces: 'Namespace' };
const infoKey = (i: CustomMetricInfo): string =>
  `${i.groupResource.resource}${i.groupResource.group === '' ? '' : `.${i.groupResource.group}`}/${i.metric} namespaced=${i.namespaced}`;
const selector = (text: string): Selector => (text === '' ? everything : parseSelector(text));

/** Checks one answered value against the fixture object it must describe. */
function checkValue(
  subject: ConformanceSubject,
  value: MetricValue,
  expected: FixtureObject,
  metricSelector: Selector,
): void {
  const what = `${expected.name.namespace}/${expected.name.name}`;
  assertCanonical(value.value, expected.value, what);
  const { groupResource } = expected.info;
  const described = {
    kind: kinds[groupResource.resource],
    ...(expected.name.namespace === '' ? {} : { namespace: expected.name.namespace }),
    name: expected.name.name,
    apiVersion: 'v1',
  };
  assert.deepEqual({ ...value.describedObject }, described, `${what}: describedObject`);
  assert.deepEqual(
    value.metric,
    { name: expected.info.metric, selector: toLabelSelector(metricSelector) },
    `${what}: metric`,
  );
  assertTimestamp(value.timestamp, what);
  assertWindow(value.windowSeconds, subject.windowSeconds, what);
}

/** A case that the subject's operators allow: the names it answers; else the 400 it must refuse with. */
async function expectSelection(
  subject: ConformanceSubject,
  run: () => unknown,
  texts: readonly [string, string?],
  expected: readonly string[],
  names: (v: unknown) => string[],
): Promise<void> {
  const { labelSelector = [], metricSelector = [] } = subject.unsupportedOperators ?? {};
  const refused =
    selector(texts[0]).requirements.find((r) => labelSelector.includes(r.operator)) ??
    selector(texts[1] ?? '').requirements.find((r) => metricSelector.includes(r.operator));
  if (refused !== undefined) {
    await rejectsWithStatus(run, 400, 'BadRequest', new RegExp(refused.key));
    return;
  }
  assert.deepEqual(
    names(await run()).sort(),
    [...expected].sort(),
    `labelSelector ${JSON.stringify(texts[0])}, metricSelector ${JSON.stringify(texts[1] ?? '')}`,
  );
}

const namesOf = (values: unknown): string[] => (values as readonly MetricValue[]).map((v) => v.describedObject.name);

export function customCases(get: () => ConformanceSubject & { readonly custom: CustomMetricsProvider }): void {
  const byName = (name: string): FixtureObject => fixture.custom.find((o) => o.name.name === name)!;

  test('discovery lists every metric it can read, from a cache that keeps its identity', () => {
    const { custom, extraListed = [] } = get();
    const listed = custom.listAllMetrics();
    assert.equal(custom.listAllMetrics(), listed, 'the same array while nothing changed');
    const expected = new Set([...fixture.custom.map((o) => o.info), ...extraListed].map(infoKey));
    assert.deepEqual(listed.map(infoKey).sort(), [...expected].sort());
  });

  test('every listed metric answers a `*` query', async () => {
    const { custom } = get();
    for (const info of custom.listAllMetrics()) {
      const values = await custom.getMetricBySelector(
        info.namespaced ? namespace : '',
        everything,
        info,
        everything,
        ctx,
      );
      assert.ok(Array.isArray(values), infoKey(info));
    }
  });

  test('a named object answers exactly its own value, namespaced or cluster-scoped', async () => {
    const subject = get();
    for (const expected of fixture.custom) {
      const value = await subject.custom.getMetricByName(expected.name, expected.info, everything, ctx);
      checkValue(subject, value, expected, everything);
    }
  });

  test('`*` answers every object of the namespace that has a value, and no other', async () => {
    const subject = get();
    for (const [ns, info] of [
      [namespace, pods],
      [otherNamespace, pods],
      ['', nodes],
    ] as const) {
      const values = await subject.custom.getMetricBySelector(ns, everything, info, everything, ctx);
      const expected = fixture.custom.filter((o) => o.info === info && o.name.namespace === ns);
      assert.deepEqual(
        namesOf(values).sort(),
        expected.map((o) => o.name.name).sort(),
        `${info.groupResource.resource} in "${ns}"`,
      );
      for (const value of values) checkValue(subject, value, byName(value.describedObject.name), everything);
    }
    assert.deepEqual(
      await subject.custom.getMetricBySelector('conformance-empty', everything, pods, everything, ctx),
      [],
      'a namespace without values',
    );
  });

  test('labelSelector: equality, set-based, existence, their negations and empty', async () => {
    const subject = get();
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ['app=none', []],
      ['app!=web', ['db-1']],
      ['tier notin (front)', ['web-2', 'db-1']],
      ['!tier', ['web-2']],
      ['', ['web-1', 'web-2', 'db-1']],
      ['app=web', ['web-1', 'web-2']],
      ['app==web', ['web-1', 'web-2']],
      ['app=web,tier=front', ['web-1']],
      ['tier in (front,back)', ['web-1', 'db-1']],
      ['app in (web,db),app!=web', ['db-1']],
      ['tier', ['web-1', 'db-1']],
    ];
    for (const [text, expected] of cases) {
      const run = () => subject.custom.getMetricBySelector(namespace, selector(text), pods, everything, ctx);
      await expectSelection(subject, run, [text], expected, namesOf);
    }
    await expectSelection(
      subject,
      () => subject.custom.getMetricBySelector('', selector('zone=a'), nodes, everything, ctx),
      ['zone=a'],
      ['node-1'],
      namesOf,
    );
  });

  test("metricSelector picks by the metric's labels, on `*` and on a named object, and is echoed in the value", async () => {
    const subject = get();
    const cases: readonly (readonly [string, string, readonly string[]])[] = [
      ['app=web', 'method=PUT', []],
      ['', 'method!=GET', ['web-2']],
      ['', '!method', []],
      ['', 'method=GET', ['web-1', 'db-1']],
      ['app=web', 'method in (POST)', ['web-2']],
      ['', 'method notin (POST)', ['web-1', 'db-1']],
    ];
    for (const [labels, metric, expected] of cases) {
      const run = () => subject.custom.getMetricBySelector(namespace, selector(labels), pods, selector(metric), ctx);
      await expectSelection(subject, run, [labels, metric], expected, namesOf);
    }
    const get1 = byName('web-1');
    const value = await subject.custom.getMetricByName(get1.name, pods, selector('method=GET'), ctx);
    checkValue(subject, value, get1, selector('method=GET'));
    await rejectsWithStatus(
      () => subject.custom.getMetricByName(get1.name, pods, selector('method=POST'), ctx),
      404,
      'NotFound',
      /http_requests/,
    );
  });

  test('a missing object or metric is a 404 NotFound naming the metric; `*` finding nothing is empty or a 404', async () => {
    const { custom } = get();
    await rejectsWithStatus(
      () => custom.getMetricByName({ namespace, name: 'nope' }, pods, everything, ctx),
      404,
      'NotFound',
      /http_requests/,
    );
    await rejectsWithStatus(
      () => custom.getMetricByName({ namespace: otherNamespace, name: 'web-1' }, pods, everything, ctx),
      404,
      'NotFound',
      /http_requests/,
    );
    await rejectsWithStatus(
      () => custom.getMetricByName({ namespace: '', name: 'node-9' }, nodes, everything, ctx),
      404,
      'NotFound',
      /temperature/,
    );
    const unknown = { ...pods, metric: 'no_such_metric' };
    await rejectsWithStatus(
      () => custom.getMetricByName({ namespace, name: 'web-1' }, unknown, everything, ctx),
      404,
      'NotFound',
      /no_such_metric/,
    );
    await assertNothing(
      () => custom.getMetricBySelector(namespace, everything, unknown, everything, ctx),
      'an unknown metric on `*`',
    );
    const services = { ...pods, groupResource: { group: '', resource: 'services' } };
    await rejectsWithStatus(
      () => custom.getMetricByName({ namespace, name: 'web-1' }, services, everything, ctx),
      404,
      'NotFound',
      /http_requests/,
    );
    assert.deepEqual(await custom.getMetricBySelector(namespace, parseSelector('app=none'), pods, everything, ctx), []);
  });
}
