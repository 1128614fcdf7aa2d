/**
 * Leader election on a `coordination.k8s.io/v1` Lease, with client-go's `tools/leaderelection` semantics, so that
 * of several replicas exactly one does what must be done once (write MetricQuery statuses). A candidate takes a
 * Lease that is absent, released (no holder) or not renewed for `leaseDurationMs` as this process measured it;
 * the holder renews every `retryPeriodMs` and stops leading once `renewDeadlineMs` passed without a renewal,
 * which is before any other candidate may take over. Every write is a PUT carrying the resourceVersion read,
 * so of two candidates racing for the same Lease one gets 409 Conflict and stays a follower.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index.js';
import { KubeApiError, type KubeClient } from './kube-client.js';

/** `spec` of a coordination.k8s.io/v1 Lease; the times are MicroTime (RFC 3339 with microseconds). */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

export interface Lease {
  readonly apiVersion: 'coordination.k8s.io/v1';
  readonly kind: 'Lease';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly resourceVersion?: string };
  readonly spec: LeaseSpec;
}

/** What the elector needs of the cluster connection. */
export type LeaseClient = Pick<KubeClient, 'getJson' | 'create' | 'replace'>;

/** Timers, replaceable in tests. */
export interface ElectionClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LeaderElectorOptions {
  readonly client: LeaseClient;
  readonly namespace: string;
  readonly name: string;
  /** Unique among the candidates; default `defaultIdentity()`. */
  readonly identity?: string;
  /** How long followers wait after the last renewal they saw before taking over; default 15 s. */
  readonly leaseDurationMs?: number;
  /** The holder stops leading this long after its last successful renewal; default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Between two attempts to acquire or renew; default 2 s. */
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
  /** Called when this candidate starts or stops leading. */
  readonly onChange?: (leading: boolean) => void;
  readonly clock?: ElectionClock;
  /** In [0, 1); for the retry jitter. */
  readonly random?: () => number;
}

const realClock: ElectionClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** NB: client-go's JitterUntil with a jitter factor of 1.2 while acquiring (leaderelection.go `acquire`). */
const jitterFactor = 1.2;

/** `<pod name or hostname>_<uuid>`, as controller-runtime builds it: unique even for two processes on one host. */
export function defaultIdentity(): string {
  return `${process.env.POD_NAME || hostname()}_${randomUUID()}`;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The namespace a Lease goes in: `POD_NAMESPACE`, else the ServiceAccount's, else the kubeconfig context's. */
export function defaultLeaseNamespace(contextNamespace?: string): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  if (existsSync(serviceAccountNamespace)) {
    const namespace = readFileSync(serviceAccountNamespace, 'utf8').trim();
    if (namespace !== '') return namespace;
  }
  return contextNamespace || 'default';
}

/** Go's metav1.MicroTime format: always six fractional digits, UTC. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Checks client-go's rules (`NewLeaderElector`); returns the problem or undefined. */
export function checkElectionTimings(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number) {
  if (leaseDurationMs <= renewDeadlineMs) return 'the lease duration must be longer than the renew deadline';
  if (renewDeadlineMs <= jitterFactor * retryPeriodMs)
    return `the renew deadline must be longer than ${jitterFactor} times the retry period`;
  if (retryPeriodMs < 1) return 'the retry period must be positive';
  return undefined;
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: ElectionClock;
  private readonly random: () => number;
  private readonly path: string;
  /** The Lease as last read or written, with its resourceVersion for the next PUT. */
  private observed: Lease | undefined;
  /** When `observed.spec` last changed, by this process's clock (client-go's observedTime: no clock-skew trust). */
  private observedAt = 0;
  private leading = false;
  private lastRenewAt = 0;
  private timer: unknown;
  private running = false;
  private attempt: Promise<void> | undefined;
  /** A failure was logged at warning level; the next ones go to debug until an attempt gets an answer. */
  private warned = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.identity = options.identity ?? defaultIdentity();
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    const problem = checkElectionTimings(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs);
    if (problem !== undefined) throw new RangeError(problem);
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    const { namespace, name } = options;
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases/${encodeURIComponent(name)}`;
  }

  /**
   * Whether this candidate leads now. NB: false as soon as the renew deadline passed, even if the timer that would
   * notice is late (a blocked event loop): the guard for every leader-only write.
   */
  isLeader(): boolean {
    return this.leading && this.clock.now() - this.lastRenewAt < this.renewDeadlineMs;
  }

  /** The holder as last observed; undefined when none. */
  holder(): string | undefined {
    return this.observed?.spec.holderIdentity || undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /**
   * Stops campaigning. A leader gives the Lease up (no holder, as client-go's ReleaseOnCancel does), so another
   * candidate takes over at its next retry instead of after the lease duration.
   */
  async stop(options: { readonly release?: boolean } = {}): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.attempt;
    const wasLeader = this.isLeader();
    this.setLeading(false);
    if (!wasLeader || options.release === false || this.observed === undefined) return;
    const now = this.clock.now();
    try {
      await this.options.client.replace(
        this.path,
        this.leaseWith({
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: formatMicroTime(now),
          renewTime: formatMicroTime(now),
          leaseTransitions: this.observed.spec.leaseTransitions ?? 0,
        }),
        AbortSignal.timeout(this.renewDeadlineMs),
      );
    } catch (error) {
      this.options.logger.warn({ lease: this.path, err: (error as Error).message }, 'cannot release the lease');
    }
  }

  /**
   * One attempt, as client-go's tryAcquireOrRenew: create the Lease if absent; leave it alone while another holder's
   * lease is valid; else write ourselves as holder (renewing keeps acquireTime and leaseTransitions, taking over
   * increments leaseTransitions). Resolves whether this candidate holds the Lease now; never throws.
   */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const record = (previous: LeaseSpec | undefined, renewing: boolean): LeaseSpec => ({
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: renewing && previous?.acquireTime !== undefined ? previous.acquireTime : formatMicroTime(now),
      renewTime: formatMicroTime(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (renewing ? 0 : 1),
    });
    const client = this.options.client;
    // NB: client-go's fast path: the leader writes over the Lease it last saw; a 409 means someone else wrote.
    if (this.isLeader() && this.observed !== undefined) {
      try {
        this.remember(await client.replace<Lease>(this.path, this.leaseWith(record(this.observed.spec, true)), signal));
        return true;
      } catch (error) {
        this.options.logger.debug({ lease: this.path, err: (error as Error).message }, 'lease renewal failed');
      }
    }
    let current: Lease;
    try {
      current = await client.getJson<Lease>(this.path, signal);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.statusCode === 404)) return this.failed('read', error);
      try {
        const created = await client.create<Lease>(
          this.path.slice(0, this.path.lastIndexOf('/')),
          { ...this.leaseWith({ ...record(undefined, false), leaseTransitions: 0 }), metadata: this.metadata() },
          signal,
        );
        this.remember(created);
        return true;
      } catch (createError) {
        return this.failed('create', createError);
      }
    }
    this.remember(current);
    const holder = current.spec.holderIdentity ?? '';
    const durationMs = (current.spec.leaseDurationSeconds ?? 0) * 1000;
    const valid = this.observedAt + durationMs > now;
    if (holder !== '' && holder !== this.identity && valid) return false;
    // NB: a Lease naming us that we do not know we hold (a restart with the same identity) is taken over anew.
    const renewing = holder === this.identity && this.leading;
    try {
      this.remember(await client.replace<Lease>(this.path, this.leaseWith(record(current.spec, renewing)), signal));
      return true;
    } catch (error) {
      return this.failed('update', error);
    }
  }

  private leaseWith(spec: LeaseSpec): Lease {
    const resourceVersion = this.observed?.metadata.resourceVersion;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...this.metadata(), ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
      spec,
    };
  }

  private metadata() {
    return { name: this.options.name, namespace: this.options.namespace };
  }

  private remember(lease: Lease): void {
    this.warned = false;
    if (this.observed === undefined || JSON.stringify(this.observed.spec) !== JSON.stringify(lease.spec))
      this.observedAt = this.clock.now();
    this.observed = lease;
  }

  private failed(what: string, error: unknown): false {
    const conflict = error instanceof KubeApiError && error.statusCode === 409;
    const fields = { lease: this.path, err: (error as Error).message };
    // NB: a 409 is the normal outcome of losing a race: another candidate wrote first.
    if (conflict || this.warned) this.options.logger.debug(fields, `lease ${what} failed`);
    else
      this.options.logger.warn(
        fields,
        `cannot ${what} the lease; retrying, further failures are logged at debug level`,
      );
    if (!conflict) this.warned = true;
    return false;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.attempt = this.round().finally(() => {
        this.attempt = undefined;
      });
    }, ms);
  }

  private async round(): Promise<void> {
    const deadline = this.leading ? this.lastRenewAt + this.renewDeadlineMs - this.clock.now() : this.renewDeadlineMs;
    const held = await this.tryAcquireOrRenew(AbortSignal.timeout(Math.max(1, deadline)));
    if (!this.running) return;
    const now = this.clock.now();
    if (held) {
      this.lastRenewAt = now;
      this.setLeading(true);
    } else if (this.leading && now - this.lastRenewAt >= this.renewDeadlineMs) {
      this.setLeading(false);
    }
    const wait = this.leading ? this.retryPeriodMs : this.retryPeriodMs * (1 + this.random() * (jitterFactor - 1));
    this.schedule(wait);
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.logger.info(
      { lease: this.path, identity: this.identity },
      leading ? 'became the leader' : 'stopped leading',
    );
    this.options.onChange?.(leading);
  }
}
