import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../log/index.js';
import { exampleReadPath, listenAndAnnounce, type ServableAdapter, type ServingSetup } from './serve-setup.js';
import type { ServingFlags } from './serving-flags.js';

test('the start-up line suggests reading a group the server answers', () => {
  const none = { custom: false, external: false, resource: false };
  assert.equal(exampleReadPath(undefined), '/apis', 'unknown: the group list, which always answers');
  assert.equal(exampleReadPath(none), '/apis');
  assert.equal(exampleReadPath({ ...none, external: true }), '/apis/external.metrics.k8s.io/v1beta1');
  assert.equal(exampleReadPath({ ...none, resource: true }), '/apis/metrics.k8s.io/v1beta1');
  assert.equal(
    exampleReadPath({ custom: true, external: true, resource: true }),
    '/apis/custom.metrics.k8s.io/v1beta2',
  );
});

test('with --secure-port 0 and auth off, the warning and the hint name the port actually bound', async () => {
  const certDir = await mkdtemp(join(tmpdir(), 'metrics-adapter-announce-'));
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = createLogger({ format: 'json', verbosity: 0, destination: out });
  const adapter = {
    listen: async () => ({ address: '127.0.0.1', family: 'IPv4', port: 43117 }),
    close: async () => undefined,
    server: {},
  } as unknown as ServableAdapter;
  const flags = { securePort: 0, bindAddress: '127.0.0.1', certDir, shutdownGracePeriod: 0 } as unknown as ServingFlags;
  const setup = { logger, caFile: join(certDir, 'ca.crt'), caPem: '' } as unknown as ServingSetup;
  try {
    await listenAndAnnounce(adapter, flags, setup, {}, undefined, { custom: false, external: true, resource: false });
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    assert.equal(
      lines[0]!.msg,
      'WARNING: authentication and authorization are DISABLED: anyone who can reach 127.0.0.1:43117 can read and write every metric',
    );
    assert.equal(
      lines[1]!.msg,
      `serving the metrics APIs on https://127.0.0.1:43117; try: kubectl --kubeconfig ${join(certDir, 'kubeconfig')} get --raw /apis/external.metrics.k8s.io/v1beta1`,
    );
    assert.doesNotMatch(text, /:0\b/);
  } finally {
    await rm(certDir, { recursive: true, force: true });
  }
});
