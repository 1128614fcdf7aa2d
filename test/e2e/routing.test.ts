/**
 * End to end: one metrics-adapter in front of two sources, its own memory store and a second
 * metrics-adapter process reached through the `forward` back end, as a cluster would put it in front of
 * KEDA or prometheus-adapter. Reads through kubectl 1.35; the config file is edited while a read loop runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient, type RawResponse } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';

type Send = (path: string, options?: { method?: string; body?: string }) => Promise<RawResponse>;
const custom = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods';

function config(other: AdapterProcess, extra = ''): string {
  return [
    'backends:',
    '  local:',
    '    kind: memory',
    '  other:',
    '    kind: forward',
    `    url: ${other.url}`,
    `    caFile: ${other.caFile}`,
    '    discoveryInterval: 1s',
    '    timeout: 2s',
    'routes:',
    '  - prefix: other_',
    '    backend: other',
    extra,
  ].join('\n');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function values(body: string): string[] {
  return (JSON.parse(body) as { items: { value: string }[] }).items.map((item) => item.value);
}

describe('several back ends behind one adapter', () => {
  let dir: string;
  let file: string;
  let other: AdapterProcess;
  let front: AdapterProcess;
  let toOther: Send;
  let toFront: Send;
  let kubectl: string | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-routing-'));
    file = join(dir, 'adapter.yaml');
    other = await startAdapter();
    toOther = createClient(other.url, other.caFile);
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/other_requests?objectLabels=app%3Dweb', '"250m"'],
      ['/write-metrics/namespaces/default/pods/web-2/other_requests?objectLabels=app%3Dweb', '"4"'],
      ['/write-metrics/namespaces/default/pods/web-1/shared_metric?objectLabels=app%3Dweb', '"2"'],
      ['/write-external-metrics/namespaces/default/other_queue?labels=queue%3Dworker', '"95"'],
      ['/write-external-metrics/namespaces/default/other_queue?labels=queue%3Dmailer', '"5"'],
    ] as const) {
      assert.equal((await toOther(path, { method: 'POST', body })).status, 200);
    }
    await writeFile(file, config(other));
    front = await startAdapter(['--config', file]);
    toFront = createClient(front.url, front.caFile);
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/requests?objectLabels=app%3Dweb', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-1/shared_metric?objectLabels=app%3Dweb', '"1"'],
    ] as const) {
      const res = await toFront(path, { method: 'POST', body });
      assert.equal(res.status, 200, res.body);
    }
    kubectl = await findKubectl();
  });
  after(async () => {
    await front?.stop();
    await other?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('kubectl reads local and forwarded metrics through the one adapter', async (t) => {
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const read = (path: string) => kubectlGetRaw(kubectl!, { server: front.url, caFile: front.caFile, path });
    const local = await read(`${custom}/web-1/requests`);
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(values(local.stdout), ['300m']);
    const forwarded = await read(`${custom}/*/other_requests?labelSelector=app%3Dweb`);
    assert.equal(forwarded.code, 0, forwarded.stderr);
    assert.deepEqual(values(forwarded.stdout).sort(), ['250m', '4']);
    const external = await read(
      '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/other_queue?labelSelector=queue%3Dworker',
    );
    assert.equal(external.code, 0, external.stderr);
    assert.deepEqual(values(external.stdout), ['95']);
    const missing = await read(`${custom}/web-404/other_requests`);
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /Error from server \(NotFound\): the server could not find the metric other_requests for pods web-404/,
    );
  });

  test('discovery lists the metrics of both back ends, each once', async () => {
    const names = await until('the forwarded discovery', async () => {
      const res = await toFront('/apis/custom.metrics.k8s.io/v1beta2');
      const list = (JSON.parse(res.body) as { resources: { name: string }[] }).resources.map((r) => r.name);
      return list.includes('pods/other_requests') ? list : undefined;
    });
    assert.deepEqual([...names].sort(), ['pods/other_requests', 'pods/requests', 'pods/shared_metric']);
    const external = JSON.parse((await toFront('/apis/external.metrics.k8s.io/v1beta1')).body) as {
      resources: { name: string }[];
    };
    assert.deepEqual(
      external.resources.map((r) => r.name),
      ['other_queue'],
    );
  });

  test('a write of a forwarded metric is refused, naming the back end', async () => {
    const res = await toFront('/write-metrics/namespaces/default/pods/web-1/other_requests', {
      method: 'POST',
      body: '"1"',
    });
    assert.equal(res.status, 400);
    assert.match(res.body, /served by back end other \(forward\), which does not accept writes/);
  });

  test('an edited config is live within 2 s with no failed request, and a broken one is refused while the old one serves', async () => {
    const read = async () => {
      const res = await toFront(`${custom}/web-1/shared_metric`);
      return { status: res.status, value: res.status === 200 ? values(res.body)[0] : res.body };
    };
    assert.deepEqual(await read(), { status: 200, value: '1' }, 'the first back end listing the metric answers it');
    let stop = false;
    const failures: string[] = [];
    const loop = (async () => {
      while (!stop) {
        const res = await read();
        if (res.status !== 200) failures.push(JSON.stringify(res));
      }
    })();
    const edited = Date.now();
    await writeFile(file, config(other, '  - name: shared_metric\n    backend: other\n'));
    await until('the new route', async () => ((await read()).value === '2' ? true : undefined), 2_000);
    assert.ok(Date.now() - edited <= 2_000);

    const reloads = async () =>
      (await toFront('/metrics')).body.match(/^metrics_adapter_config_reload_total\{result="failure"\} (\d+)$/m)?.[1];
    const before = Number(await reloads());
    await writeFile(
      file,
      `${config(other, '  - name: shared_metric\n    backend: other\n')}  - prefix: x\n    backend: nowhere\n`,
    );
    await until('the rejected reload', async () => (Number(await reloads()) > before ? true : undefined), 3_000);
    assert.deepEqual(await read(), { status: 200, value: '2' }, 'the old config keeps serving');
    assert.match(front.logs(), /config reload rejected.*routes\.2\.backend: no back end named \\"nowhere\\"/);
    stop = true;
    await loop;
    assert.deepEqual(failures, []);
  });

  test('onMissing: last serves the last value while the other server is gone, then fails after maxAge; local metrics keep answering', async () => {
    await writeFile(
      file,
      config(
        other,
        '  - name: shared_metric\n    backend: other\nfreshness:\n  - name: other_requests\n    maxAge: 4s\n    onMissing: last\n',
      ),
    );
    const written = Date.now();
    assert.equal(
      (await toOther('/write-metrics/namespaces/default/pods/web-1/other_requests', { method: 'POST', body: '"6"' }))
        .status,
      200,
    );
    await until('the freshness rule', async () => {
      const res = await toFront('/metrics');
      return /metrics_adapter_config_reload_total\{result="success"\} 2/.test(res.body) ? true : undefined;
    });
    assert.deepEqual(values((await toFront(`${custom}/web-1/other_requests`)).body), ['6']);
    await other.stop();
    const whileGone = await toFront(`${custom}/web-1/other_requests`);
    assert.equal(whileGone.status, 200, whileGone.body);
    assert.deepEqual(values(whileGone.body), ['6']);
    const noRule = await toFront('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/other_queue');
    assert.equal(noRule.status, 503, 'a forwarded metric without a rule fails at once');
    assert.equal(JSON.parse(noRule.body).reason, 'ServiceUnavailable');
    assert.equal((await toFront(`${custom}/web-1/requests`)).status, 200, 'local metrics keep answering');
    await sleep(Math.max(0, written + 6_000 - Date.now()));
    const expired = await toFront(`${custom}/web-1/other_requests`);
    assert.equal(expired.status, 503, expired.body);
    const health = JSON.parse((await toFront('/debug/backends')).body) as {
      backends: { name: string; ready: boolean }[];
    };
    assert.deepEqual(
      health.backends.map((b) => [b.name, b.ready]),
      [
        ['local', true],
        ['other', false],
      ],
    );
    assert.equal((await toFront('/readyz')).status, 200, 'still ready: the routing works');
  });
});
