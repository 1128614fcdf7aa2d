/**
 * Property tests against the real server and memory back end through inject(): random
 * paths, selectors, quantities, bodies and headers never get a 5xx, every error is a well-formed
 * Status, and a rejected write leaves every stored value as it was. Sizes: ./sizes.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';
import { assertWellFormed } from './answer-invariants.js';
import { escapeText, fuzzRequest, fuzzWrite, quantityText, selectorText } from './arbitraries.js';
import { fuzzRuns, fuzzSeed, share } from './sizes.js';

type MemoryAdapter = Awaited<ReturnType<typeof createMemoryAdapter>>;
const params = (fraction: number) => ({
  numRuns: share(fraction),
  ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }),
});

async function inject(
  adapter: MemoryAdapter,
  request: { method: string; url: string; headers?: Record<string, string>; body?: string },
) {
  const res = await adapter.server.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { payload: request.body } : {}),
  });
  const contentType = res.headers['content-type'];
  return {
    method: request.method,
    url: request.url,
    status: res.statusCode,
    contentType: typeof contentType === 'string' ? contentType : undefined,
    body: res.body,
  };
}

async function seeded(): Promise<MemoryAdapter> {
  const adapter = await createMemoryAdapter();
  for (let i = 0; i < 10; i++) {
    const custom = await adapter.post(
      `/write-metrics/namespaces/fuzz/pods/p-${i}/m?objectLabels=app%3Dweb-${i % 3}`,
      `"${i + 1}"`,
    );
    const external = await adapter.post(`/write-external-metrics/namespaces/fuzz/q?labels=queue%3Dq-${i}`, `"${i}k"`);
    assert.equal(custom.statusCode, 200, custom.body);
    assert.equal(external.statusCode, 200, external.body);
  }
  return adapter;
}

describe(`fuzzing through inject (${fuzzRuns} cases in all)`, () => {
  let adapter: MemoryAdapter;
  before(async () => {
    adapter = await seeded();
  });

  test('any method, path, query, Accept, Content-Type and body: no 5xx, errors are Status with the right code', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        const headers: Record<string, string> = {};
        if (request.accept !== undefined) headers.accept = request.accept;
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (request.userAgent !== undefined) headers['user-agent'] = request.userAgent;
        assertWellFormed(
          await inject(adapter, {
            method: request.method,
            url: request.url,
            headers,
            ...(request.body !== undefined ? { body: request.body } : {}),
          }),
        );
      }),
      params(0.4),
    );
  });

  test('label selectors in every read form: 200 or 400, never anything else', async () => {
    const forms = [
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/m',
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/fuzz/pods/%2A/m',
      '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/p-1/m',
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/fuzz/q',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...forms),
        fc.constantFrom('labelSelector', 'metricLabelSelector'),
        selectorText,
        async (form, param, selector) => {
          const answer = await inject(adapter, { method: 'GET', url: `${form}?${param}=${escapeText(selector)}` });
          assertWellFormed(answer);
          // NB: 404 is a selector that parses but matches nothing (spec §1.6/§2.2: an empty list for forms B and D).
          assert.ok([200, 400, 404].includes(answer.status), `${answer.url} -> ${answer.status} ${answer.body}`);
        },
      ),
      params(0.2),
    );
  });

  test('a rejected write changes no stored value; an accepted one stores what it says it stored', async () => {
    const snapshot = async () => {
      const custom = await inject(adapter, {
        method: 'GET',
        url: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/*/m',
      });
      const external = await inject(adapter, {
        method: 'GET',
        url: '/apis/external.metrics.k8s.io/v1beta1/namespaces/fuzz/q',
      });
      assert.equal(custom.status, 200, custom.body);
      assert.equal(external.status, 200, external.body);
      return `${custom.body}${external.body}`;
    };
    // NB: what is stored now; a rejected write must leave it exactly so.
    let stored = await snapshot();
    await fc.assert(
      fc.asyncProperty(fuzzWrite, async (write) => {
        const url =
          write.kind === 'custom'
            ? `/write-metrics/namespaces/${write.namespace}/pods/${write.name}/${write.metric}`
            : `/write-external-metrics/namespaces/${write.namespace}/${write.metric}`;
        const full = write.query.length === 0 ? url : `${url}?${write.query.join('&')}`;
        const answer = await inject(adapter, {
          method: 'POST',
          url: full,
          body: write.body,
          headers: write.contentType === undefined ? {} : { 'content-type': write.contentType },
        });
        assertWellFormed(answer);
        if (answer.status !== 200) {
          assert.equal(
            await snapshot(),
            stored,
            `${full} with ${write.body} was rejected (${answer.status}) but changed what is stored`,
          );
          return;
        }
        stored = await snapshot();
        const message = /^stored (.*)=(\S+) for /.exec((JSON.parse(answer.body) as { message: string }).message);
        assert.ok(message, answer.body);
        // NB: inject() resolves `.` and `..` segments as a URL parser does; a socket does not (fuzz-tls covers that).
        const dotted = [write.namespace, write.name, write.metric].some((s) => s === '.' || s === '..');
        if (write.kind === 'custom' && !full.includes('labels=') && !dotted) {
          const named = await inject(adapter, {
            method: 'GET',
            url: `/apis/custom.metrics.k8s.io/v1beta2${url.slice('/write-metrics'.length)}`,
          });
          assert.equal(named.status, 200, named.body);
          assert.equal(
            (JSON.parse(named.body) as { items: { value: string }[] }).items[0]?.value,
            message[2],
            `${full} read back`,
          );
        }
      }),
      params(0.25),
    );
  });

  test('quantity bodies: a write is 200 or 400, and what is read back parses again to itself', async () => {
    await fc.assert(
      fc.asyncProperty(quantityText, async (text) => {
        const answer = await inject(adapter, {
          method: 'POST',
          url: '/write-metrics/namespaces/fuzz/pods/quantity/m',
          body: JSON.stringify(text),
          headers: { 'content-type': 'application/json' },
        });
        assertWellFormed(answer);
        assert.ok(
          answer.status === 200 || answer.status === 400,
          `${JSON.stringify(text)} -> ${answer.status} ${answer.body}`,
        );
        if (answer.status !== 200) return;
        const read = await inject(adapter, {
          method: 'GET',
          url: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/fuzz/pods/quantity/m',
        });
        const value = (JSON.parse(read.body) as { items: { value: string }[] }).items[0]!.value;
        const again = await inject(adapter, {
          method: 'POST',
          url: '/write-metrics/namespaces/fuzz/pods/quantity/m',
          body: JSON.stringify(value),
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(again.status, 200, `the canonical form ${value} of ${text} is accepted back: ${again.body}`);
        assert.match(again.body, new RegExp(`=${value.replace(/[.+]/g, '\\$&')} for`), `${value} is a fixed point`);
      }),
      params(0.15),
    );
  });
});
