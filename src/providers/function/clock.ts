/**
 * The time source a metric's scheduler reads and sets its timers on. Injectable, so tests drive a
 * {@link createManualClock} and check backoff by the recorded times of each run instead of sleeping.
 * @module
 */

/** A cancellable timer from {@link Clock.setTimer}. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `delayMs`; the timer never keeps the process alive. */
  setTimer(callback: () => void, delayMs: number): Timer;
}

/** The real clock: `Date.now` and unref'd `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that moves only when told: for tests of code that takes a {@link Clock}. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due timers in order; awaits the microtasks each one starts. */
  advance(ms: number): Promise<void>;
  /** Timers set and not yet fired or cancelled. */
  pendingTimers(): number;
}

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** A {@link ManualClock} starting at `start` (default 0). */
export function createManualClock(start = 0): ManualClock {
  let current = start;
  let seq = 0;
  const timers = new Set<PendingTimer>();
  const settle = async () => {
    // NB: a timer callback usually starts async work (a metric run); let its promise chain settle
    // before the next timer fires, as real time would.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return {
    now: () => current,
    setTimer(callback, delayMs) {
      const timer: PendingTimer = { at: current + Math.max(0, delayMs), seq: seq++, callback };
      timers.add(timer);
      return { cancel: () => timers.delete(timer) };
    },
    async advance(ms) {
      const end = current + ms;
      await settle();
      for (;;) {
        let next: PendingTimer | undefined;
        for (const t of timers)
          if (t.at <= end && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        if (next === undefined) break;
        timers.delete(next);
        current = next.at;
        next.callback();
        await settle();
      }
      current = end;
    },
    pendingTimers: () => timers.size,
  };
}
