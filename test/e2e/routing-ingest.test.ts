/**
 * `ingest:` inside a routing config: its rules turn pushed series into metrics, and `ingest.backend` names the back
 * end they are stored in, while routes keep their metrics elsewhere. A real `serve --config` process takes a
 * remote-write body over TLS; kubectl 1.35 reads the value back and `/debug/backends` shows where it landed.
 * `config check` refuses a bad `ingest.backend` in one line naming the file's line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import { runCli, startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { writeRequest } from '../helpers/protobuf-writer.js';

const kubectl = await findKubectl();

function routingConfig(ingestBackend: string): string {
  return [
    'backends:',
    '  local:',
    '    kind: memory',
    '  pushed:',
    '    kind: memory',
    '  prom:',
    '    kind: prometheus',
    '    url: http://127.0.0.1:9',
    "    rules: [{seriesQuery: 'up', metricsQuery: 'up'}]",
    'routes:',
    '  - prefix: prom_',
    '    backend: prom',
    'ingest:',
    `  backend: ${ingestBackend}`,
    '  rules:',
    `  - seriesQuery: 'jobs_done_total{namespace!="",pod!=""}'`,
    '    name: {matches: "^(.*)_total$", as: "${1}_per_minute_x60"}',
    '',
  ].join('\n');
}

function post(adapter: AdapterProcess, path: string, body: Uint8Array, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      new URL(path, adapter.url),
      { method: 'POST', ca: readFileSync(adapter.caFile, 'utf8'), servername: 'localhost', headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(body));
  });
}

describe('push ingestion in a routing config', () => {
  let dir: string;
  let adapter: AdapterProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'routing-ingest-'));
    const file = join(dir, 'adapter.yaml');
    await writeFile(file, routingConfig('pushed'));
    adapter = await startAdapter(['--config', file]);
  });
  after(async () => {
    await adapter?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('pushed series follow the ingest rules into ingest.backend, and are served from there', async () => {
    const body = writeRequest([
      {
        labels: { __name__: 'jobs_done_total', namespace: 'shop', pod: 'worker-1' },
        samples: [
          [1000, 10],
          [3000, 16],
        ],
      },
    ]);
    const status = await post(adapter, '/api/v1/write', snappy.compress(body), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
    });
    assert.equal(status, 204);
    const { backends } = JSON.parse((await createClient(adapter.url, adapter.caFile)('/debug/backends')).body) as {
      backends: { name: string; customMetrics: number }[];
    };
    const counts = Object.fromEntries(backends.map((b) => [b.name, b.customMetrics]));
    // NB: a pods metric is listed for pods and for the namespace (the sum over its pods).
    assert.ok(counts.pushed! > 0, JSON.stringify(backends));
    assert.equal(counts.local, 0);
    if (kubectl === undefined) return;
    const read = await kubectlGetRaw(kubectl, {
      server: adapter.url,
      caFile: adapter.caFile,
      path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/worker-1/jobs_done_per_minute_x60',
    });
    assert.equal(read.code, 0, read.stderr);
    // (16 − 10) over 2 s: 3 per second.
    assert.equal((JSON.parse(read.stdout) as { items: { value: string }[] }).items[0]?.value, '3');
  });

  test('config check refuses an ingest.backend that is unknown or takes no writes, in one line', async () => {
    for (const [backend, message] of [
      ['nowhere', /adapter\.yaml:14: ingest\.backend: no back end named "nowhere"/],
      ['prom', /adapter\.yaml:14: ingest\.backend: back end prom \(prometheus\) does not take writes/],
    ] as const) {
      const file = join(dir, 'adapter.yaml');
      await writeFile(file, routingConfig(backend));
      const result = await runCli(['config', 'check', file]);
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, message);
    }
    await writeFile(join(dir, 'adapter.yaml'), routingConfig('pushed'));
    const ok = await runCli(['config', 'check', join(dir, 'adapter.yaml')]);
    // NB: the file is valid; the prometheus entry's live check (nothing listens on its url) fails on its own, code 1.
    assert.match(ok.stdout, /adapter\.yaml: valid: 3 back ends/, ok.stderr);
    assert.notEqual(ok.code, 2, ok.stderr);
  });
});
