/**
 * Property tests of the push endpoints through the server's request listener on the real memory back end: valid
 * remote-write, OTLP and batched-write bodies, cut short, bit-flipped or replaced by random bytes, compressed or
 * not, never get a 5xx, every error is a well-formed Status, and a refused body stores nothing. Sizes: ./sizes.ts.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { inject } from 'light-my-request';
import snappy from 'snappyjs';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';
import { ProtobufWriter, writeRequest } from '../helpers/protobuf-writer.js';
import { assertWellFormed } from './answer-invariants.js';
import { fuzzSeed, share } from './sizes.js';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;
const params = (fraction: number) => ({
  numRuns: share(fraction),
  ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }),
});

const remoteWriteBody = writeRequest([
  {
    labels: { __name__: 'http_requests_total', namespace: 'fuzz', pod: 'p-1', code: '200' },
    samples: [
      [1000, 1],
      [2000, 5],
    ],
  },
  { labels: { __name__: 'queue_depth', namespace: 'fuzz', pod: 'p-2' }, samples: [[1000, 3]] },
]);
const otlpBody = new ProtobufWriter()
  .message(1, (rm) => {
    rm.message(1, (r) =>
      r.message(1, (kv) => kv.string(1, 'k8s.namespace.name').message(2, (v) => v.string(1, 'fuzz'))),
    );
    rm.message(2, (sm) =>
      sm.message(2, (m) =>
        m.string(1, 'orders').message(7, (sum) => {
          sum.message(1, (p) =>
            p
              .message(7, (kv) => kv.string(1, 'k8s.pod.name').message(2, (v) => v.string(1, 'p-3')))
              .fixed64(3, 5_000_000_000n)
              .double(4, 10),
          );
          sum.varint(2, 2).varint(3, 1);
        }),
      ),
    );
  })
  .finish();
const otlpJson = JSON.stringify({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'k8s.namespace.name', value: { stringValue: 'fuzz' } }] },
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'temperature',
              gauge: {
                dataPoints: [
                  {
                    attributes: [{ key: 'k8s.pod.name', value: { stringValue: 'p-4' } }],
                    timeUnixNano: '5000000000',
                    asDouble: 20.5,
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
});
const batchJson = JSON.stringify({
  items: [
    { namespace: 'fuzz', resource: 'pods', name: 'p-5', metric: 'm', value: '2' },
    { external: true, namespace: 'fuzz', metric: 'q', value: 1, labels: { queue: 'a' } },
  ],
});

/** A body damaged in one of the ways a network, a bug or an attacker would. */
const damaged = (valid: Uint8Array) =>
  fc.oneof(
    fc.nat({ max: valid.length }).map((cut) => valid.subarray(0, cut)),
    fc.tuple(fc.nat({ max: Math.max(0, valid.length - 1) }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
      const copy = Uint8Array.from(valid);
      copy[at] = copy[at]! ^ xor;
      return copy;
    }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constant(valid),
  );

const endpoints = [
  { url: '/api/v1/write', contentType: 'application/x-protobuf', body: remoteWriteBody, compress: true },
  { url: '/v1/metrics', contentType: 'application/x-protobuf', body: otlpBody, compress: false },
  { url: '/v1/metrics', contentType: 'application/json', body: new TextEncoder().encode(otlpJson), compress: false },
  {
    url: '/write-metrics',
    contentType: 'application/json',
    body: new TextEncoder().encode(batchJson),
    compress: false,
  },
];

describe('fuzzing the push endpoints', () => {
  let listener: Listener;
  let adapter: Awaited<ReturnType<typeof createMemoryAdapter>>;
  before(async () => {
    adapter = await createMemoryAdapter();
    listener = adapter.server.server.listeners('request')[0] as Listener;
  });

  const snapshot = async () => {
    const reads = await Promise.all(
      [
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/http_requests_per_second',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/queue_depth',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/orders_per_second',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/temperature',
        '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/m',
      ].map((path) => adapter.get(path)),
    );
    return reads.map((read) => read.body.replace(/"timestamp":"[^"]*"/g, '')).join('\n');
  };

  test('damaged bodies on every push endpoint: 2xx or 4xx, never a crash, and a refused body stores nothing', async () => {
    let stored = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc
          .nat({ max: endpoints.length - 1 })
          .chain((index) => fc.tuple(fc.constant(index), damaged(endpoints[index]!.body), fc.boolean())),
        async ([index, body, compressAfter]) => {
          const endpoint = endpoints[index]!;
          // NB: remote-write bodies are damaged before compression (a bad message) or after it (a bad block).
          const payload = endpoint.compress ? (compressAfter ? snappy.compress(body) : body) : body;
          const headers: Record<string, string> = { 'content-type': endpoint.contentType };
          if (endpoint.compress) headers['content-encoding'] = 'snappy';
          const res = await inject(listener, {
            method: 'POST',
            url: endpoint.url,
            payload: Buffer.from(payload),
            headers,
          });
          const contentType = res.headers['content-type'];
          const answer = {
            method: 'POST',
            url: endpoint.url,
            status: res.statusCode,
            contentType: typeof contentType === 'string' ? contentType : undefined,
            body: res.body,
          };
          if (answer.contentType !== 'application/x-protobuf') assertWellFormed(answer);
          assert.ok(answer.status < 500, `${endpoint.url} -> ${answer.status} ${answer.body}`);
          if (answer.status >= 400) {
            assert.equal(
              await snapshot(),
              stored,
              `${endpoint.url} refused (${answer.status}) but changed what is stored`,
            );
          } else {
            stored = await snapshot();
          }
        },
      ),
      params(0.1),
    );
  });
});
