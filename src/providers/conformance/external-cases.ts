/**
 * The read cases of an external metrics provider: discovery, series per namespace, metricSelector semantics and
 * 404s (contract: provider.ts ExternalMetricsProvider).
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everything, parseSelector, type Selector } from '../../selector/index.js';
import type { ExternalMetricsProvider, ExternalMetricValue } from '../provider.js';
import { assertCanonical, assertNothing, assertTimestamp, assertWindow, rejectsWithStatus } from './expect.js';
import { fixture, namespace, otherNamespace, queue } from './fixture.js';
import type { ConformanceSubject } from './subject.js';

const ctx = { signal: new AbortController().signal };
const selector = (text: string): Selector => (text === '' ? everything : parseSelector(text));
const info = { metric: queue };

export function externalCases(get: () => ConformanceSubject & { readonly external: ExternalMetricsProvider }): void {
  /** The fixture series each answered value is, by its `q` label; checks name, labels, value, time and window. */
  async function read(ns: string, text: string): Promise<string[]> {
    const subject = get();
    const values: readonly ExternalMetricValue[] = await subject.external.getExternalMetric(
      ns,
      selector(text),
      info,
      ctx,
    );
    return values
      .map((value) => {
        const expected = fixture.external.find((s) => s.namespace === ns && s.labels.q === value.metricLabels.q);
        assert.ok(
          expected !== undefined,
          `an answered series that is not in ${ns}: ${JSON.stringify(value.metricLabels)}`,
        );
        assert.equal(value.metricName, queue);
        for (const [key, label] of Object.entries(expected.labels))
          assert.equal(value.metricLabels[key], label, `label ${key}`);
        assertCanonical(value.value, expected.value, `q=${expected.labels.q}`);
        assertTimestamp(value.timestamp, `q=${expected.labels.q}`);
        assertWindow(value.windowSeconds, subject.windowSeconds, `q=${expected.labels.q}`);
        return expected.labels.q!;
      })
      .sort();
  }

  test('external discovery lists the metric, from a cache that keeps its identity', () => {
    const { external } = get();
    const listed = external.listAllExternalMetrics();
    assert.equal(external.listAllExternalMetrics(), listed, 'the same array while nothing changed');
    assert.deepEqual(
      listed.map((i) => i.metric),
      [queue],
    );
  });

  test('external series are those of the namespace asked for, with their labels, canonical values and times', async () => {
    assert.deepEqual(await read(namespace, ''), ['a', 'b']);
    assert.deepEqual(await read(otherNamespace, ''), ['c']);
    await assertNothing(
      () => get().external.getExternalMetric('conformance-empty', everything, info, ctx),
      'a namespace without series',
    );
  });

  test('external metricSelector: equality, set-based, existence and their negations', async () => {
    const subject = get();
    const cases: readonly (readonly [string, readonly string[]])[] = [
      ['q=z', []],
      ['!q', []],
      ['q!=a', ['b']],
      ['q notin (a)', ['b']],
      ['q=b', ['b']],
      ['q==b', ['b']],
      ['q in (a,b)', ['a', 'b']],
      ['q', ['a', 'b']],
    ];
    for (const [text, expected] of cases) {
      const refused = selector(text).requirements.find((r) =>
        subject.unsupportedOperators?.metricSelector?.includes(r.operator),
      );
      if (refused !== undefined)
        await rejectsWithStatus(
          () => subject.external.getExternalMetric(namespace, selector(text), info, ctx),
          400,
          'BadRequest',
          /q/,
        );
      else assert.deepEqual(await read(namespace, text), expected, `metricSelector ${text}`);
    }
  });

  test('an unknown external metric is a 404 NotFound naming it', async () => {
    const { external } = get();
    await rejectsWithStatus(
      () => external.getExternalMetric(namespace, everything, { metric: 'no_such_metric' }, ctx),
      404,
      'NotFound',
      /no_such_metric/,
    );
  });
}
