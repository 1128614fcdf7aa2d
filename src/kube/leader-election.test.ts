import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setImmediate as immediate } from 'node:timers/promises';
import { createLogger } from '../log/index.js';
import { KubeApiError } from './kube-client.js';
import {
  checkElectionTimings,
  formatMicroTime,
  LeaderElector,
  type ElectionClock,
  type Lease,
  type LeaseClient,
} from './leader-election.js';

/** Timers that fire only when the test moves the clock. */
class FakeClock implements ElectionClock {
  time = 1_700_000_000_000;
  private timers: { at: number; callback: () => void }[] = [];
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t !== handle);
  };
  /** Moves time forward by `ms`, firing every timer due on the way and letting its promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      this.timers = this.timers.filter((t) => t !== next);
      next.callback();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await immediate();
}

/** One Lease with kube-apiserver's rules: create fails when it exists, a PUT with an old resourceVersion is a 409. */
class LeaseStore {
  lease: Lease | undefined;
  private resourceVersion = 10;
  writes = 0;

  clientFor(reachable: () => boolean = () => true): LeaseClient {
    const check = (path: string) => {
      if (!reachable()) throw new KubeApiError(`${path}: connect ECONNREFUSED`, 0);
    };
    return {
      getJson: async <T>(path: string) => {
        check(path);
        if (this.lease === undefined) throw new KubeApiError(`GET ${path}: 404 not found`, 404);
        return structuredClone(this.lease) as T;
      },
      create: async <T>(path: string, object: unknown) => {
        check(path);
        if (this.lease !== undefined) throw new KubeApiError(`POST ${path}: 409 already exists`, 409);
        return this.save(object as Lease) as T;
      },
      replace: async <T>(path: string, object: unknown) => {
        check(path);
        const lease = object as Lease;
        if (this.lease === undefined) throw new KubeApiError(`PUT ${path}: 404 not found`, 404);
        const precondition = lease.metadata.resourceVersion;
        if (precondition !== undefined && precondition !== this.lease.metadata.resourceVersion)
          throw new KubeApiError(`PUT ${path}: 409 the object has been modified`, 409);
        return this.save(lease) as T;
      },
    };
  }

  private save(lease: Lease): Lease {
    this.writes++;
    this.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.resourceVersion) } };
    return structuredClone(this.lease);
  }
}

const logger = createLogger({ format: 'json', verbosity: 0, destination: new PassThrough() });

function candidate(store: LeaseStore, clock: FakeClock, identity: string, reachable?: () => boolean) {
  const changes: { leading: boolean; at: number }[] = [];
  const elector = new LeaderElector({
    client: store.clientFor(reachable),
    namespace: 'custom-metrics',
    name: 'metric-queries',
    identity,
    logger,
    clock,
    random: () => 0.5,
    onChange: (leading) => changes.push({ leading, at: clock.now() }),
  });
  return { elector, changes };
}

describe('leader election on a Lease', () => {
  test('timings client-go refuses are refused', () => {
    assert.match(checkElectionTimings(10_000, 10_000, 2_000)!, /lease duration must be longer than the renew deadline/);
    assert.match(checkElectionTimings(15_000, 2_400, 2_000)!, /renew deadline must be longer than 1.2 times/);
    assert.throws(() => new LeaderElector({ ...base(), leaseDurationMs: 5_000 }), RangeError);
    assert.equal(checkElectionTimings(15_000, 10_000, 2_000), undefined);
  });

  test('MicroTime has six fractional digits, as Go writes metav1.MicroTime', () => {
    assert.equal(formatMicroTime(Date.UTC(2026, 0, 2, 3, 4, 5, 67)), '2026-01-02T03:04:05.067000Z');
  });

  test('the first candidate creates the Lease; a second one leaves a valid Lease alone', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = candidate(store, clock, 'a');
    const b = candidate(store, clock, 'b');
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(0);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.isLeader(), false);
    const spec = store.lease!.spec;
    assert.deepEqual(
      { ...spec, acquireTime: undefined, renewTime: undefined },
      {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        leaseTransitions: 0,
        acquireTime: undefined,
        renewTime: undefined,
      },
    );
    assert.equal(spec.acquireTime, formatMicroTime(clock.time));
    assert.equal(spec.renewTime, spec.acquireTime);
    assert.equal(b.elector.holder(), 'a');

    await clock.advance(60_000);
    assert.equal(a.elector.isLeader(), true, 'renewed every retry period');
    assert.equal(b.elector.isLeader(), false, 'never took a Lease that was renewed');
    const renewed = store.lease!.spec;
    assert.equal(renewed.acquireTime, spec.acquireTime, 'a renewal keeps acquireTime');
    assert.equal(renewed.leaseTransitions, 0, 'and leaseTransitions');
    assert.ok(Date.parse(renewed.renewTime!) > Date.parse(spec.renewTime!));
    assert.deepEqual(b.changes, []);
    // NB: about one renewal per retry period (2 s), not more.
    assert.ok(store.writes <= 1 + 60_000 / 2_000, `${store.writes} writes in 60 s`);
  });

  test('a holder that cannot renew stops leading before anyone may take over; the take-over counts a transition', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    let aReachable = true;
    const a = candidate(store, clock, 'a', () => aReachable);
    const b = candidate(store, clock, 'b');
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(5_000);
    const lastRenew = Date.parse(store.lease!.spec.renewTime!);
    aReachable = false;
    await clock.advance(30_000);
    const stopped = a.changes.find((c) => !c.leading);
    const started = b.changes.find((c) => c.leading);
    assert.ok(stopped !== undefined && started !== undefined);
    assert.ok(stopped.at - lastRenew <= 10_000, `a stopped ${stopped.at - lastRenew} ms after its last renewal`);
    assert.ok(started.at - lastRenew >= 15_000, `b took over ${started.at - lastRenew} ms after a's last renewal`);
    // NB: b times the Lease from when it saw the last renewal (one retry late at most), then retries (one more).
    assert.ok(started.at - lastRenew <= 15_000 + 2 * 2_000 * 1.2 + 1, 'within the lease duration and two retries');
    assert.equal(store.lease!.spec.holderIdentity, 'b');
    assert.equal(store.lease!.spec.leaseTransitions, 1);
    assert.equal(store.lease!.spec.acquireTime, formatMicroTime(started.at));

    aReachable = true;
    await clock.advance(10_000);
    assert.equal(a.elector.isLeader(), false, 'back in reach, a finds b holding the Lease');
    assert.equal(b.elector.isLeader(), true);
  });

  test('isLeader turns false at the renew deadline even when no timer ran (a blocked event loop)', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = candidate(store, clock, 'a');
    a.elector.start();
    await clock.advance(0);
    assert.equal(a.elector.isLeader(), true);
    clock.time += 10_000;
    assert.equal(a.elector.isLeader(), false);
  });

  test('stop releases the Lease: another candidate takes it at its next retry, not after the lease duration', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const a = candidate(store, clock, 'a');
    const b = candidate(store, clock, 'b');
    a.elector.start();
    await clock.advance(0);
    b.elector.start();
    await clock.advance(3_000);
    const stopAt = clock.time;
    await a.elector.stop();
    assert.equal(store.lease!.spec.holderIdentity, '');
    assert.equal(store.lease!.spec.leaseDurationSeconds, 1);
    assert.equal(a.elector.isLeader(), false);
    await clock.advance(3_000);
    const started = b.changes.find((c) => c.leading);
    assert.ok(started !== undefined && started.at - stopAt <= 2_000 * 1.2 + 1, 'b took over at its next retry');
    assert.equal(store.lease!.spec.leaseTransitions, 1);
  });

  test('two candidates racing for an expired Lease: the resourceVersion lets exactly one win', async () => {
    const clock = new FakeClock();
    const store = new LeaseStore();
    const old = candidate(store, clock, 'old');
    old.elector.start();
    await clock.advance(0);
    await old.elector.stop({ release: false });
    const b = candidate(store, clock, 'b');
    const c = candidate(store, clock, 'c');
    // NB: both read the Lease now, and see it expire at the same moment.
    assert.equal(await b.elector.tryAcquireOrRenew(), false);
    assert.equal(await c.elector.tryAcquireOrRenew(), false);
    clock.time += 16_000;
    const results = await Promise.all([b.elector.tryAcquireOrRenew(), c.elector.tryAcquireOrRenew()]);
    assert.deepEqual(
      results.filter((won) => won),
      [true],
    );
    assert.equal(store.lease!.spec.leaseTransitions, 1);
  });
});

function base() {
  return { client: new LeaseStore().clientFor(), namespace: 'n', name: 'l', logger };
}
