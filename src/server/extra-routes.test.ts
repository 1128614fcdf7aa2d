import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { badRequest, unauthorized } from '../api/errors.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { capturedLog } from '../../test/helpers/captured-log.js';
import { createSilentLogger } from '../log/index.js';
import { createServer } from './create-server.js';
import { jsonAnswer } from './exchange.js';

const custom = {
  getMetricByName: () => Promise.reject(new Error('unused')),
  getMetricBySelector: () => [],
  listAllMetrics: () => [],
};
/** Lets a request in with `Authorization: Bearer good` only, as a delegated guard would. */
const guard = {
  check(request: IncomingMessage) {
    if (request.headers.authorization !== 'Bearer good') throw unauthorized();
  },
};

test('a route added by a library user runs behind the same front door as the API, over a socket and through inject()', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = createServer({
    custom,
    resourceMapper: createStaticResourceMapper(),
    logger: createSilentLogger(),
    guard,
    limits: { maxRequestsInflight: 1 },
    statusPageSampleIntervalMs: 0,
  });
  server.route('GET', '/things/:name', async (exchange) => {
    if (exchange.params.name === 'slow') await held;
    if (exchange.params.name === 'bad') throw badRequest('no such thing: bad');
    if (exchange.params.name === 'broken') throw new Error('secret detail');
    return jsonAnswer(exchange, 200, JSON.stringify({ name: exchange.params.name, query: exchange.query }));
  });
  const address: AddressInfo = await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${address.port}`;
  const authorized = { authorization: 'Bearer good' };
  try {
    const ok = await fetch(`${base}/things/a?x=1`, { headers: authorized });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { name: 'a', query: 'x=1' });
    assert.equal(ok.headers.get('cache-control'), 'no-cache, private');
    assert.match(ok.headers.get('audit-id') ?? '', /^[0-9a-f-]{36}$/);

    const anonymous = await server.inject({ method: 'GET', url: '/things/a' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(JSON.parse(anonymous.body).reason, 'Unauthorized');

    const bad = await fetch(`${base}/things/bad`, { headers: authorized });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { message: string }).message, 'no such thing: bad');
    const broken = await server.inject({ method: 'GET', url: '/things/broken', headers: authorized });
    assert.equal(broken.statusCode, 500);
    assert.equal(broken.body.includes('secret detail'), false);

    const slow = fetch(`${base}/things/slow`, { headers: authorized });
    // NB: wait until the slow request holds the only read slot.
    for (
      let i = 0;
      i < 100 && (await server.inject({ method: 'GET', url: '/things/probe', headers: authorized })).statusCode !== 429;
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const refused = await fetch(`${base}/things/c`, { headers: authorized });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    release();
    assert.equal((await slow).status, 200);

    const metrics = await (await fetch(`${base}/metrics`, { headers: authorized })).text();
    const count = (code: number) => {
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith(`metrics_adapter_requests_total{verb="GET",group="",version="",code="${code}"}`));
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    assert.ok(count(200) >= 2 && count(401) >= 1 && count(400) >= 1 && count(500) >= 1 && count(429) >= 2, metrics);
  } finally {
    release();
    await server.close();
  }
});

test('an answer whose headers Node refuses is logged and its connection closed; the server keeps answering', async () => {
  const { logger, lines } = capturedLog();
  const server = createServer({
    custom,
    resourceMapper: createStaticResourceMapper(),
    logger,
    statusPageSampleIntervalMs: 0,
  });
  server.route('GET', '/things/:name', (exchange) => ({
    code: 200,
    body: 'x',
    headers: { 'x-thing': exchange.params.name === 'bad' ? 'a\nb' : 'ok' },
  }));
  const address: AddressInfo = await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${address.port}`;
  try {
    await assert.rejects(fetch(`${base}/things/bad`));
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; url?: string; err?: { message: string } });
    const failure = logged.find((entry) => entry.msg === 'could not write the answer');
    assert.equal(failure?.url, '/things/bad');
    assert.match(failure?.err?.message ?? '', /x-thing/);
    const ok = await fetch(`${base}/things/good`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'x');
  } finally {
    await server.close();
  }
});
