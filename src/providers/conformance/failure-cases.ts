/**
 * The cases about a request's life rather than its answer: an aborted QueryContext stops the work, and an
 * unreachable upstream is a 503 that names it. The unreachable case cuts the upstream for good, so it runs last.
 * @module
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusError } from '../../api/errors.js';
import { everything } from '../../selector/index.js';
import type { QueryContext } from '../provider.js';
import { eventually, rejectsWithStatus } from './expect.js';
import { namespace, pods, queue } from './fixture.js';
import type { ConformanceSubject } from './subject.js';

/** One read the HPA makes: `*` of the pods metric, else the external metric. */
function oneRead(subject: ConformanceSubject, ctx: QueryContext): unknown {
  if (subject.custom !== undefined)
    return subject.custom.getMetricBySelector(namespace, everything, pods, everything, ctx);
  return subject.external!.getExternalMetric(namespace, everything, { metric: queue }, ctx);
}

export function abortCase(get: () => ConformanceSubject): void {
  test('an aborted QueryContext stops the work: the call settles at once and gives up its upstream connection', async () => {
    const subject = get();
    const stall = subject.stall;
    if (stall === undefined) {
      // NB: a back end that answers from memory does no I/O on a request, so there is nothing to stop; it must not
      // wait either, or an abort could not have been ignored safely.
      const pending = Promise.resolve()
        .then(() => oneRead(subject, { signal: AbortSignal.abort() }))
        .then(
          () => 'settled',
          () => 'settled',
        );
      assert.equal(
        await Promise.race([pending, new Promise((resolve) => setImmediate(() => resolve('waiting')))]),
        'settled',
      );
      return;
    }
    stall.hold();
    try {
      const controller = new AbortController();
      const outcome = Promise.resolve()
        .then(() => oneRead(subject, { signal: controller.signal }))
        .then(
          () => 'answered',
          (error: unknown) => error,
        );
      await eventually('the request to reach the held upstream', () => stall.held() > 0);
      controller.abort();
      const settled = await Promise.race([outcome, sleep(2000, 'still waiting')]);
      assert.notEqual(settled, 'still waiting', 'the call ignored the abort');
      assert.notEqual(settled, 'answered', 'a held upstream cannot have answered');
      await eventually('the aborted request to close its connection', () => stall.held() === 0);
    } finally {
      stall.release();
    }
  });
}

export function unreachableCase(get: () => ConformanceSubject): void {
  test('an unreachable upstream is a 503 ServiceUnavailable naming it, with the detail as cause; discovery still answers', async () => {
    const subject = get();
    const unreachable = subject.unreachable!;
    await unreachable.cut();
    const ctx = { signal: new AbortController().signal };
    const error = await rejectsWithStatus(() => oneRead(subject, ctx), 503, 'ServiceUnavailable', unreachable.names);
    assert.ok(
      error instanceof StatusError && error.cause !== undefined,
      'the detail (address, error code) is kept as cause for the log',
    );
    if (subject.custom !== undefined) {
      await rejectsWithStatus(
        () => subject.custom!.getMetricByName({ namespace, name: 'web-1' }, pods, everything, ctx),
        503,
        'ServiceUnavailable',
        unreachable.names,
      );
      assert.doesNotThrow(() => subject.custom!.listAllMetrics());
    }
    if (subject.external !== undefined) {
      await rejectsWithStatus(
        () => subject.external!.getExternalMetric(namespace, everything, { metric: queue }, ctx),
        503,
        'ServiceUnavailable',
        unreachable.names,
      );
      assert.doesNotThrow(() => subject.external!.listAllExternalMetrics());
    }
  });
}
