/**
 * Assertions the conformance cases share: typed errors, canonical values, timestamps and windows.
 * @module
 */
import assert from 'node:assert/strict';
import { StatusError, type StatusReason } from '../../api/errors.js';
import { parseQuantity } from '../../quantity/index.js';

/** Calls `call` (which may throw synchronously or reject) and returns its StatusError, failing on anything else. */
async function statusErrorOf(call: () => unknown): Promise<StatusError> {
  let outcome: unknown;
  try {
    outcome = await call();
  } catch (error) {
    assert.ok(error instanceof StatusError, `expected a StatusError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a StatusError, got an answer: ${JSON.stringify(outcome)}`);
}

export async function rejectsWithStatus(
  call: () => unknown,
  code: number,
  reason: StatusReason,
  message?: RegExp,
): Promise<StatusError> {
  const error = await statusErrorOf(call);
  assert.equal(error.code, code, `${error.code} ${error.reason}: ${error.message}`);
  assert.equal(error.reason, reason, error.message);
  if (message !== undefined) assert.match(error.message, message);
  return error;
}

export function assertCanonical(value: string, expected: string, what: string): void {
  assert.equal(value, parseQuantity(value).toString(), `${what}: ${value} is not in canonical form`);
  assert.equal(value, expected, what);
}

/** The timestamp is when the value was measured, so it is recent; the fixture is always written as of now. */
export function assertTimestamp(timestamp: number, what: string): void {
  assert.ok(Number.isFinite(timestamp) && timestamp > 0, `${what}: timestamp ${timestamp}`);
  assert.ok(
    Math.abs(timestamp - Date.now()) < 10 * 60_000,
    `${what}: timestamp ${new Date(timestamp).toISOString()} is not recent`,
  );
}

export function assertWindow(windowSeconds: number | undefined, expected: number | undefined, what: string): void {
  if (expected !== undefined) assert.equal(windowSeconds, expected, `${what}: windowSeconds`);
  else if (windowSeconds !== undefined)
    assert.ok(Number.isInteger(windowSeconds) && windowSeconds > 0, `${what}: windowSeconds ${windowSeconds}`);
}

/** Resolves once `probe` holds, or fails after `timeoutMs`. */
export async function eventually(what: string, probe: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A read that finds nothing: an empty list or a 404 NotFound. NB: CMAS's test adapter answers an empty list where
 * prometheus-adapter answers 404 for a metric it does not know; the HPA reads both as "no metrics".
 */
export async function assertNothing(call: () => unknown, what: string): Promise<void> {
  let outcome: unknown;
  try {
    outcome = await call();
  } catch (error) {
    assert.ok(
      error instanceof StatusError && error.code === 404 && error.reason === 'NotFound',
      `${what}: ${String(error)}`,
    );
    return;
  }
  assert.deepEqual(outcome, [], what);
}
