/**
 * The forward back end runs the conformance suite against another metrics API server: this project's own adapter on
 * the memory back end, over TLS on 127.0.0.1, which answers in the real schema. The fixture is written into it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdapter } from '../../src/adapter.js';
import { ensureSelfSignedCertificate } from '../../src/certs/index.js';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import { describeReadOnlyBackend, writeFixture } from '../../src/providers/conformance/index.js';
import forwardBackend from '../../src/providers/forward/index.js';
import memoryBackend from '../../src/providers/memory/index.js';
import { proxyUpstream } from '../helpers/conformance-upstream.js';

const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };

describeReadOnlyBackend('forward', { custom: true, external: true, unreachable: true }, async (fixture) => {
  const dir = await mkdtemp(join(tmpdir(), 'conformance-forward-'));
  const certificate = await ensureSelfSignedCertificate({ certDir: dir, hosts: ['localhost'] });
  const store = await memoryBackend.create({}, {}, deps);
  await writeFixture(store, fixture);
  const other = createAdapter({
    custom: store.custom!,
    external: store.external!,
    tls: { key: certificate.keyPem, cert: certificate.certPem },
  });
  const { port } = await other.listen({ port: 0, host: '127.0.0.1' });
  const upstream = await proxyUpstream(port, /forwarded metrics server/);
  const config = forwardBackend.configSchema.parse({
    url: `https://127.0.0.1:${upstream.proxy.port}`,
    caFile: certificate.caFile,
    timeout: '3s',
  });
  const backend = await forwardBackend.create(config, {}, deps);
  return {
    custom: backend.custom!,
    external: backend.external!,
    stall: upstream.stall,
    unreachable: upstream.unreachable,
    async close() {
      await backend.close();
      await upstream.proxy.close();
      await other.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
