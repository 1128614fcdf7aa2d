/**
 * What every answer must satisfy, whatever was asked: never a 5xx, and every error body a
 * metav1.Status whose `code` equals the HTTP status (spec §4), sent as application/json.
 * @module
 */
import assert from 'node:assert/strict';

export interface Answer {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** Throws an AssertionError naming the request when `answer` breaks an invariant. */
export function assertWellFormed(answer: Answer): void {
  const where = `${answer.method} ${answer.url} -> ${answer.status} ${answer.body.slice(0, 300)}`;
  assert.ok(answer.status >= 200 && answer.status < 500, `no 5xx (and a real status): ${where}`);
  if (answer.method === 'HEAD') return;
  const isJson = answer.contentType === 'application/json';
  if (answer.status >= 400) {
    assert.ok(isJson, `an error is application/json, got ${answer.contentType}: ${where}`);
    const status = JSON.parse(answer.body) as Record<string, unknown>;
    assert.equal(status.kind, 'Status', where);
    assert.equal(status.apiVersion, 'v1', where);
    assert.equal(status.status, 'Failure', where);
    assert.equal(status.code, answer.status, `Status.code equals the HTTP status: ${where}`);
    assert.ok(typeof status.message === 'string' && status.message !== '', `a Status has a message: ${where}`);
    assert.ok(typeof status.reason === 'string' && status.reason !== '', `a Status has a reason: ${where}`);
  } else if (isJson) {
    assert.doesNotThrow(() => JSON.parse(answer.body), `a 2xx JSON body parses: ${where}`);
  }
}
