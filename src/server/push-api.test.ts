/**
 * The push endpoints through the server's own request listener (what a socket reaches), on the real memory back end:
 * remote-write, OTLP/HTTP, batched JSON writes, the guard and the body limits, and bodies that must be refused
 * with nothing stored.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { inject } from 'light-my-request';
import snappy from 'snappyjs';
import { unauthorized } from '../api/errors.js';
import type { IngestConfig } from '../ingest/index.js';
import { createMemoryAdapter } from '../../test/helpers/memory-adapter.js';
import { ProtobufWriter, writeRequest } from '../../test/helpers/protobuf-writer.js';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

async function setup(ingest?: IngestConfig, extra: Parameters<typeof createMemoryAdapter>[1] = {}) {
  const adapter = await createMemoryAdapter({}, { ...extra, ...(ingest ? { ingest } : {}) });
  const listener = adapter.server.server.listeners('request')[0] as Listener;
  const post = async (url: string, body: Uint8Array | string, headers: Record<string, string>) => {
    const res = await inject(listener, {
      method: 'POST',
      url,
      payload: typeof body === 'string' ? body : Buffer.from(body),
      headers,
    });
    return { status: res.statusCode, body: res.body, raw: res.rawPayload, type: res.headers['content-type'] };
  };
  const remoteWrite = (body: Uint8Array) =>
    post('/api/v1/write', body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' });
  const read = async (path: string) => {
    const res = await adapter.get(path);
    const body = JSON.parse(res.body) as {
      value?: string;
      items?: { value: string; metricLabels?: Record<string, string> }[];
      reason?: string;
      message?: string;
    };
    // NB: one object's read is a list of one in v1beta2.
    return { status: res.statusCode, body: { ...body, value: body.value ?? body.items?.[0]?.value } };
  };
  return { adapter, post, remoteWrite, read };
}

const pod = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/web-1';
const counter = (samples: [number, number][]) =>
  writeRequest([{ labels: { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-1' }, samples }]);

describe('POST /api/v1/write', () => {
  const refused: [string, () => Uint8Array][] = [
    [
      'a truncated snappy block',
      () =>
        snappy
          .compress(
            counter([
              [1000, 1],
              [2000, 3],
            ]),
          )
          .subarray(0, 12),
    ],
    ['a snappy bomb (a length preamble of 1 GiB)', () => Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00])],
    ['an empty body', () => new Uint8Array(0)],
    [
      'snappy around bytes that are no protobuf',
      () => snappy.compress(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])),
    ],
    [
      'a protobuf cut in the middle of a sample',
      () =>
        snappy.compress(
          counter([
            [1000, 1],
            [2000, 3],
          ]).subarray(0, 40),
        ),
    ],
    ['a field number 0', () => snappy.compress(Uint8Array.from([0x00, 0x01]))],
    [
      'a label with invalid UTF-8',
      () =>
        snappy.compress(
          new ProtobufWriter()
            .message(1, (ts) => ts.message(1, (l) => l.string(1, '__name__').bytes(2, Uint8Array.from([0xc3, 0x28]))))
            .finish(),
        ),
    ],
  ];
  for (const [what, body] of refused) {
    test(`${what}: 400 and nothing stored`, async () => {
      const { remoteWrite, read } = await setup();
      const good = await remoteWrite(
        snappy.compress(
          counter([
            [1000, 1],
            [3000, 5],
          ]),
        ),
      );
      assert.equal(good.status, 204, good.body);
      const answer = await remoteWrite(body());
      assert.equal(answer.status, 400, answer.body);
      assert.match(JSON.parse(answer.body).reason, /BadRequest/);
      assert.equal((await read(`${pod}/http_requests_per_second`)).body.value, '2');
    });
  }

  test('a counter is served as its rate, the namespace as the sum over its pods, and a gauge as it is', async () => {
    const { remoteWrite, read } = await setup();
    const body = writeRequest([
      {
        labels: { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-1', code: '200' },
        samples: [
          [1000, 10],
          [3000, 30],
        ],
      },
      {
        labels: { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-2', code: '200' },
        samples: [
          [1000, 0],
          [5000, 4],
        ],
      },
      {
        labels: { __name__: 'queue_depth', namespace: 'shop', pod: 'web-1' },
        samples: [
          [1000, 7],
          [2000, 9],
        ],
      },
    ]);
    assert.equal((await remoteWrite(snappy.compress(body))).status, 204);
    const rate = await read(`${pod}/http_requests_per_second`);
    assert.equal(rate.body.value, '10');
    assert.equal(
      (await read('/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/metrics/http_requests_per_second')).body.value,
      '11',
    );
    assert.equal((await read(`${pod}/queue_depth`)).body.value, '9');
  });

  test('a Prometheus stale marker removes the series at once', async () => {
    const { remoteWrite, read } = await setup();
    await remoteWrite(
      snappy.compress(
        writeRequest([{ labels: { __name__: 'queue_depth', namespace: 'shop', pod: 'web-1' }, samples: [[1000, 7]] }]),
      ),
    );
    assert.equal((await read(`${pod}/queue_depth`)).body.value, '7');
    const staleNaN = Buffer.from([0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    const marker = new ProtobufWriter()
      .message(1, (ts) => {
        for (const [name, value] of [
          ['__name__', 'queue_depth'],
          ['namespace', 'shop'],
          ['pod', 'web-1'],
        ])
          ts.message(1, (l) => l.string(1, name!).string(2, value!));
        ts.message(2, (s) => s.fixed64Bytes(1, staleNaN).varint(2, 2000));
      })
      .finish();
    assert.equal((await remoteWrite(snappy.compress(marker))).status, 204);
    assert.equal((await read(`${pod}/queue_depth`)).status, 404);
  });

  test('what became of each pushed sample is counted on /metrics', async () => {
    const { adapter, remoteWrite } = await setup();
    const gauge = { __name__: 'queue_depth', namespace: 'shop', pod: 'web-1' };
    const send = async (labels: Record<string, string>, samples: [number, number][]) =>
      assert.equal((await remoteWrite(snappy.compress(writeRequest([{ labels, samples }])))).status, 204);
    await send(gauge, [
      [1000, 7],
      [2000, 8],
    ]);
    await send(gauge, [[1500, 9]]);
    await send({ __name__: 'room_temperature' }, [[1000, 20]]);
    await send(gauge, [[3000, Number.NaN]]);
    const metrics = (await adapter.get('/metrics')).body;
    const count = (outcome: string) =>
      Number(
        new RegExp(
          `^metrics_adapter_pushed_samples_total\\{protocol="remote-write",outcome="${outcome}"\\} (\\d+)$`,
          'm',
        ).exec(metrics)?.[1],
      );
    assert.deepEqual(
      ['taken', 'unused', 'dropped', 'rejected'].map(count),
      [2, 1, 1, 1],
      'two taken, one of a series no rule takes, one older than its series, one not a number',
    );
    assert.match(metrics, /^metrics_adapter_pushed_samples_total\{protocol="otlp",outcome="taken"\} 0$/m);
  });

  test('rules from the config: an external metric with the series labels, a custom name', async () => {
    const { remoteWrite, read } = await setup({
      rules: [{ seriesQuery: 'queue_messages{queue!=""}', external: true, name: { as: 'messages' } }],
    });
    const body = writeRequest([
      { labels: { __name__: 'queue_messages', namespace: 'shop', queue: 'orders' }, samples: [[1000, 12]] },
      { labels: { __name__: 'queue_messages', queue: 'global' }, samples: [[1000, 3]] },
      {
        labels: { __name__: 'http_requests_total', namespace: 'shop', pod: 'web-1' },
        samples: [
          [1000, 1],
          [2000, 2],
        ],
      },
    ]);
    assert.equal((await remoteWrite(snappy.compress(body))).status, 204);
    const external = await read('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/messages');
    const served = (external.body.items ?? []).map((item) => [item.metricLabels?.queue, item.value]).sort();
    assert.deepEqual(served, [
      ['global', '3'],
      ['orders', '12'],
    ]);
    // NB: rules replace the defaults: nothing else is served.
    assert.equal((await read(`${pod}/http_requests_per_second`)).status, 404);
  });

  test('the wrong media type is 415, a body over the limit 413, and the guard applies', async () => {
    const { post } = await setup({ maxBodyBytes: 100 });
    assert.equal((await post('/api/v1/write', 'x', { 'content-type': 'text/plain' })).status, 415);
    assert.equal(
      (await post('/api/v1/write', Buffer.alloc(200), { 'content-type': 'application/x-protobuf' })).status,
      413,
    );
    const guarded = await setup(undefined, {
      guard: {
        check: () => {
          throw unauthorized();
        },
      },
    });
    assert.equal((await guarded.remoteWrite(snappy.compress(counter([[1000, 1]])))).status, 401);
  });
});

describe('POST /v1/metrics', () => {
  const resource = {
    attributes: [
      { key: 'k8s.namespace.name', value: { stringValue: 'shop' } },
      { key: 'k8s.pod.name', value: { stringValue: 'web-1' } },
    ],
  };
  test('JSON: a gauge is stored, a summary is rejected in partialSuccess', async () => {
    const { post, read } = await setup();
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              metrics: [
                { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: '1000000000', asInt: '12' }] } },
                { name: 'rpc.duration', summary: { dataPoints: [{}, {}] } },
              ],
            },
          ],
        },
      ],
    });
    const answer = await post('/v1/metrics', body, { 'content-type': 'application/json' });
    assert.equal(answer.status, 200, answer.body);
    const response = JSON.parse(answer.body) as {
      partialSuccess: { rejectedDataPoints: string; errorMessage: string };
    };
    assert.equal(response.partialSuccess.rejectedDataPoints, '2');
    assert.match(response.partialSuccess.errorMessage, /summaries/);
    assert.equal((await read(`${pod}/queue_depth`)).body.value, '12');
  });

  test('protobuf: a monotonic sum is rated; a bad body is 400 with nothing stored', async () => {
    const { post, read } = await setup();
    const request = (points: [number, number][]) =>
      new ProtobufWriter()
        .message(1, (rm) => {
          rm.message(1, (r) => {
            for (const attribute of resource.attributes)
              r.message(1, (kv) =>
                kv.string(1, attribute.key).message(2, (v) => v.string(1, attribute.value.stringValue)),
              );
          });
          rm.message(2, (sm) =>
            sm.message(2, (m) => {
              m.string(1, 'orders');
              m.message(7, (sum) => {
                for (const [seconds, value] of points)
                  sum.message(1, (p) => p.fixed64(3, BigInt(seconds) * 1_000_000_000n).double(4, value));
                sum.varint(2, 2).varint(3, 1);
              });
            }),
          );
        })
        .finish();
    const answer = await post(
      '/v1/metrics',
      request([
        [10, 100],
        [12, 120],
      ]),
      { 'content-type': 'application/x-protobuf' },
    );
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.raw.length, 0, 'full success is an empty ExportMetricsServiceResponse');
    assert.equal((await read(`${pod}/orders_per_second`)).body.value, '10');
    const truncated = request([[14, 200]]);
    const bad = await post('/v1/metrics', truncated.subarray(0, truncated.length - 3), {
      'content-type': 'application/x-protobuf',
    });
    assert.equal(bad.status, 400, bad.body);
    assert.equal((await read(`${pod}/orders_per_second`)).body.value, '10');
  });
});

describe('POST /write-metrics (batched writes)', () => {
  test('stores every entry, custom and external', async () => {
    const { post, read } = await setup();
    const items = [
      {
        namespace: 'shop',
        resource: 'pods',
        name: 'web-1',
        metric: 'queue_length',
        value: '300m',
        labels: { queue: 'a' },
      },
      { resource: 'nodes', name: 'node-1', metric: 'load', value: 2 },
      { external: true, namespace: 'shop', metric: 'backlog', value: '1k', labels: { queue: 'a' } },
    ];
    const answer = await post('/write-metrics', JSON.stringify({ items }), { 'content-type': 'application/json' });
    assert.equal(answer.status, 200, answer.body);
    assert.match(answer.body, /stored 3 values/);
    assert.equal((await read(`${pod}/queue_length`)).body.value, '300m');
    assert.equal((await read('/apis/custom.metrics.k8s.io/v1beta2/nodes/node-1/load')).body.value, '2');
    assert.equal(
      (await read('/apis/external.metrics.k8s.io/v1beta1/namespaces/shop/backlog')).body.items?.[0]?.value,
      '1k',
    );
  });

  test('one bad entry: 400 naming its index, and nothing stored', async () => {
    const { post, read } = await setup();
    const items = [
      { namespace: 'shop', resource: 'pods', name: 'web-1', metric: 'queue_length', value: '1' },
      { namespace: 'shop', resource: 'pods', name: 'web-2', metric: 'queue_length', value: '2' },
      { namespace: 'shop', resource: 'pods', name: 'Web_3', metric: 'queue_length', value: '3' },
    ];
    const answer = await post('/write-metrics', JSON.stringify({ items }), { 'content-type': 'application/json' });
    assert.equal(answer.status, 400, answer.body);
    assert.match(JSON.parse(answer.body).message, /^items\[2\]\.name/);
    assert.equal((await read(`${pod}/queue_length`)).status, 404);
    const badValue = await post(
      '/write-metrics',
      JSON.stringify({ items: [{ external: true, metric: 'm', value: '1x' }] }),
      { 'content-type': 'application/json' },
    );
    assert.match(JSON.parse(badValue.body).message, /^items\[0\]\.value/);
  });
});
