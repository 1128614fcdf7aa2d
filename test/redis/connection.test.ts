/**
 * The Redis back end's ways to reach Redis, each against a real redis-server: a password from a file, TLS with
 * `rediss://` and a CA file, and the master found through a real Sentinel.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSelfSignedCertificate } from '../../src/certs/index.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import type { Backend } from '../../src/providers/backend.js';
import redisBackend from '../../src/providers/redis/index.js';
import { parseQuantity } from '../../src/quantity/index.js';
import { everything } from '../../src/selector/index.js';
import { findRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const binary = await findRedisServer();
const skip = binary === undefined ? 'redis-server is not installed' : false;
const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };
const started: RedisServer[] = [];
const dirs: string[] = [];

after(async () => {
  await Promise.all(started.map((r) => r.stop()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(options: Parameters<typeof startRedisServer>[1] = {}): Promise<RedisServer> {
  const server = await startRedisServer(binary!, options);
  started.push(server);
  return server;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-connection-'));
  dirs.push(dir);
  return dir;
}

/** Writes one external value and reads it back through the same back end. */
async function roundTrip(section: Record<string, unknown>): Promise<string> {
  const backend: Backend = await redisBackend.create(redisBackend.configSchema.parse(section), {}, deps);
  try {
    assert.equal(backend.readiness().ready, true, backend.readiness().message);
    await backend.writer!.writeExternalMetric({
      namespace: null,
      metric: 'queue',
      labels: {},
      value: parseQuantity('7'),
      timestamp: Date.now(),
    });
    const [value] = await backend.external!.getExternalMetric(
      'default',
      everything,
      { metric: 'queue' },
      { signal: new AbortController().signal },
    );
    return value!.value;
  } finally {
    await backend.close();
  }
}

describe('reaching Redis', { skip }, () => {
  test('a password from a file', async () => {
    const server = await start({ args: ['--requirepass', 'dev secret'] });
    const file = join(await tempDir(), 'password');
    await writeFile(file, 'dev secret\n');
    assert.equal(await roundTrip({ url: server.url, passwordFile: file }), '7');
  });

  test('TLS: rediss:// with the CA file', async () => {
    const certDir = await tempDir();
    const cert = await ensureSelfSignedCertificate({ certDir, hosts: ['localhost'], ips: ['127.0.0.1'] });
    const server = await start({ tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: cert.caFile } });
    assert.equal(await roundTrip({ url: `rediss://127.0.0.1:${server.port}`, caFile: cert.caFile }), '7');
  });

  test('Sentinel: the master found by name', async () => {
    const master = await start();
    const sentinel = await start({ sentinelFor: { masterName: 'mymaster', port: master.port } });
    assert.equal(
      await roundTrip({ sentinel: { masterName: 'mymaster', sentinels: `127.0.0.1:${sentinel.port}` } }),
      '7',
    );
  });
});
