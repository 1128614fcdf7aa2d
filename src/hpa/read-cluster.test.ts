import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsFetcher } from './explain.js';
import { ClusterReadError, readClusterState } from './read-cluster.js';

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/** Answers `/api` and `/apis` from `answers`; anything else is a 404. */
function fetcherOf(answers: Record<string, { status: number; body: string } | Error>): MetricsFetcher {
  return {
    async get(url) {
      const answer = answers[url] ?? {
        status: 404,
        body: status(404, 'NotFound', 'the server could not find the requested resource'),
      };
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

test('a discovery failure names the path and how it failed: HTTP code and Status message, or the network error', async () => {
  const versions = { status: 200, body: JSON.stringify({ kind: 'APIVersions', versions: ['v1'] }) };
  const cases: [string, MetricsFetcher, string][] = [
    [
      'a metrics adapter (no /api)',
      fetcherOf({}),
      "cannot read the API server's discovery: GET /api: HTTP 404: the server could not find the requested resource (the server has no core API: is the kubeconfig the adapter's rather than the cluster's? explain hpa reads the HPA from the API server)",
    ],
    [
      'forbidden /apis',
      fetcherOf({
        '/api': versions,
        '/apis': { status: 403, body: status(403, 'Forbidden', 'forbidden: User "jane" cannot get path "/apis"') },
      }),
      'cannot read the API server\'s discovery: GET /apis: HTTP 403: forbidden: User "jane" cannot get path "/apis"',
    ],
    [
      'not JSON',
      fetcherOf({ '/api': { status: 200, body: '<html>' } }),
      "cannot read the API server's discovery: GET /api: HTTP 200: the response is not JSON",
    ],
    [
      'no answer',
      fetcherOf({ '/api': new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      "cannot read the API server's discovery: GET /api: connect ECONNREFUSED 127.0.0.1:1",
    ],
  ];
  for (const [what, fetcher, message] of cases) {
    await assert.rejects(readClusterState(fetcher, 'default', 'web'), (error: unknown) => {
      assert.ok(error instanceof ClusterReadError, what);
      assert.equal(error.message, message, what);
      return true;
    });
  }
});
