/**
 * Soak: the real `metrics-adapter serve` over keep-alive TLS at a fixed, moderate rate of mixed
 * reads and writes (70% selector queries, 10% named, 20% overwrites): a warm-up of the same load,
 * then RELIABILITY_SOAK_SECONDS measured. Every answer must be a 200, and the resident memory the
 * adapter reports on its own /metrics must stay flat: at most 10% above the highest figure seen
 * during warm-up.
 *
 * The warm-up lasts at least half the soak (5 s or more) and then until RSS has levelled off
 * (the last three samples, half a second or more apart, within 1% of the one before), because the heap reaches its
 * working size later on a busy
 * machine than on an idle one; a warm-up that never levels off within its cap fails as a leak.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { soakRate, soakSeconds } from './sizes.js';

const pods = 200;
const warmUpSeconds = Math.max(5, soakSeconds / 2);
const warmUpCapSeconds = warmUpSeconds * 4;
const rssBound = 1.1;
const levelSamples = 3;
const levelGrowth = 1.01;

function createAgentClient(url: string, ca: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca, servername: 'localhost' });
  const send = (path: string, body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        new URL(path, url),
        {
          method: body === undefined ? 'GET' : 'POST',
          agent,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${path} in 10 s`)));
      req.on('error', reject);
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function pick(i: number): { path: string; body?: string } {
  const roll = i % 10;
  const pod = (i * 7919) % pods;
  if (roll < 7)
    return {
      path: `/apis/custom.metrics.k8s.io/v1beta2/namespaces/soak/pods/*/http_requests?labelSelector=app%3Dweb-${pod % 10}`,
    };
  if (roll < 8) return { path: `/apis/custom.metrics.k8s.io/v1beta1/namespaces/soak/pods/pod-${pod}/http_requests` };
  return {
    path: `/write-metrics/namespaces/soak/pods/pod-${pod}/http_requests?objectLabels=app%3Dweb-${pod % 10}`,
    body: `"${(i % 997) + 1}m"`,
  };
}

describe(`soak: ${warmUpSeconds} s warm-up and ${soakSeconds} s at ${soakRate} requests/s over TLS`, () => {
  let adapter: AdapterProcess;
  let client: ReturnType<typeof createAgentClient>;
  before(async () => {
    adapter = await startAdapter();
    client = createAgentClient(adapter.url, readFileSync(adapter.caFile, 'utf8'));
    for (let i = 0; i < pods; i++) {
      const seeded = await client.send(
        `/write-metrics/namespaces/soak/pods/pod-${i}/http_requests?objectLabels=app%3Dweb-${i % 10}`,
        '"1"',
      );
      assert.equal(seeded.status, 200, seeded.body);
    }
  });
  after(async () => {
    client?.close();
    await adapter?.stop();
  });

  test('no errors, and RSS stays within 10% of its warm-up high', async (t) => {
    const rss = async () => {
      const text = (await client.send('/metrics')).body;
      const match = /^process_resident_memory_bytes (\d+)/m.exec(text);
      assert.ok(match, 'process_resident_memory_bytes in /metrics');
      return Number(match[1]);
    };
    const failures: string[] = [];
    const samples: { at: number; bytes: number }[] = [];
    let sent = 0;
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    // NB: by samples, not by time: on a starved machine one /metrics read can take seconds.
    const levelledOff = () => {
      if (samples.length < levelSamples + 1) return false;
      const base = samples.at(-levelSamples - 1)!.bytes;
      return samples.slice(-levelSamples).every((s) => s.bytes <= base * levelGrowth);
    };
    // NB: a fixed schedule, not a closed loop: a slow answer must not slow the offered load down.
    let warmUpEnd = Number.POSITIVE_INFINITY;
    while (warmUpEnd === Number.POSITIVE_INFINITY || performance.now() < warmUpEnd + soakSeconds * 1000) {
      const elapsed = performance.now() - started;
      if (warmUpEnd === Number.POSITIVE_INFINITY && elapsed >= warmUpSeconds * 1000 && levelledOff())
        warmUpEnd = performance.now();
      if (warmUpEnd === Number.POSITIVE_INFINITY && elapsed >= warmUpCapSeconds * 1000) break;
      const due = Math.floor((elapsed / 1000) * soakRate);
      for (; sent < due; sent++) {
        const { path, body } = pick(sent);
        const done: Promise<void> = client
          .send(path, body)
          .then(
            (answer) => {
              if (answer.status !== 200) failures.push(`${path} -> ${answer.status} ${answer.body.slice(0, 200)}`);
            },
            (error: Error) => {
              failures.push(`${path} -> ${error.message}`);
            },
          )
          .finally(() => inFlight.delete(done));
        inFlight.add(done);
      }
      if (samples.length === 0 || performance.now() - samples.at(-1)!.at > 500)
        samples.push({ at: performance.now(), bytes: await rss() });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // NB: no assertion on how many were sent: on a starved CI machine the schedule slips, and that says nothing
    // about the server; the count is in the diagnostic line.
    await Promise.all(inFlight);
    samples.push({ at: performance.now(), bytes: await rss() });
    const warmUp = samples.filter((s) => s.at <= warmUpEnd).map((s) => s.bytes);
    const later = samples.filter((s) => s.at > warmUpEnd).map((s) => s.bytes);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    t.diagnostic(
      `${sent} requests; warm-up ${((Math.min(warmUpEnd, performance.now()) - started) / 1000).toFixed(1)} s; RSS warm-up high ${mib(Math.max(...warmUp))}, after warm-up ${later.map(mib).join(', ')}`,
    );
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${sent} requests failed`);
    assert.ok(
      warmUpEnd !== Number.POSITIVE_INFINITY,
      `RSS levelled off within the ${warmUpCapSeconds} s warm-up cap: ${warmUp.map(mib).join(', ')}`,
    );
    assert.ok(warmUp.length > 0 && later.length > 0, 'RSS sampled during and after warm-up');
    assert.ok(
      Math.max(...later) <= Math.max(...warmUp) * rssBound,
      `RSS after warm-up stays within ${rssBound}× its warm-up high`,
    );
  });
});
