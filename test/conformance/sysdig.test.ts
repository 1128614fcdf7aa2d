/**
 * The Sysdig back end (Data API mode) runs the conformance suite against the fake Sysdig over TLS
 * (test/helpers/fake-sysdig.ts) holding the fixture as entities labelled the way Sysdig labels Kubernetes objects.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStaticResourceMapper } from '../../src/kube/static-resource-mapper.js';
import { createSilentLogger } from '../../src/log/index.js';
import {
  describeReadOnlyBackend,
  fixtureObjectLister,
  type Fixture,
  type OpenSubject,
} from '../../src/providers/conformance/index.js';
import sysdigBackend from '../../src/providers/sysdig/index.js';
import { proxyUpstream } from '../helpers/conformance-upstream.js';
import { startFakeSysdig, type FakeEntity } from '../helpers/fake-sysdig.js';

/** The fixture as Sysdig's entities: `kubernetes.pod.name`, the object's labels as `kubernetes.pod.label.<key>`. */
function entitiesOf(fixture: Fixture): FakeEntity[] {
  const prefixed = (entity: string, labels: Record<string, string>) =>
    Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${entity}.label.${k}`, v]));
  return [
    ...fixture.custom.map((o) => {
      const entity = o.info.namespaced ? 'kubernetes.pod' : 'kubernetes.node';
      return {
        labels: {
          ...(o.info.namespaced ? { 'kubernetes.namespace.name': o.name.namespace } : {}),
          [`${entity}.name`]: o.name.name,
          ...prefixed(entity, o.objectLabels),
          ...o.metricLabels,
        },
        values: { [o.info.metric]: o.number },
      };
    }),
    ...fixture.external.map((s) => ({
      labels: { 'kubernetes.namespace.name': s.namespace, ...s.labels },
      values: { [s.metric]: s.number },
    })),
  ];
}

/** A Sysdig back end over the fake, reached through a proxy; `cluster` gives it the fixture's objects. */
function open(cluster: boolean): OpenSubject {
  return async (fixture) => {
    const sysdig = await startFakeSysdig();
    sysdig.entities = entitiesOf(fixture);
    const upstream = await proxyUpstream(Number(new URL(sysdig.url).port), /Sysdig/);
    const dir = await mkdtemp(join(tmpdir(), 'conformance-sysdig-'));
    await writeFile(join(dir, 'token'), sysdig.token);
    const config = sysdigBackend.configSchema.parse({
      url: `https://127.0.0.1:${upstream.proxy.port}`,
      caFile: sysdig.caFile,
      tokenFile: join(dir, 'token'),
      timeout: '3s',
      discovery: 'config',
      defaults: { window: '1m', groupAggregation: 'sum' },
      metrics: [
        { name: 'http_requests', resources: ['pods'], external: false },
        { name: 'temperature', resources: ['nodes'], external: false },
        { name: 'queue', resources: [], segmentBy: ['q'], namespaced: true },
      ],
    });
    const deps = {
      logger: createSilentLogger(),
      resourceMapper: createStaticResourceMapper(),
      ...(cluster ? { objectLister: fixtureObjectLister(fixture) } : {}),
    };
    const backend = await sysdigBackend.create(config, {}, deps);
    return {
      custom: backend.custom!,
      external: backend.external!,
      // NB: a Sysdig scope has =, !=, in and not in; the back end refuses what it cannot ask rather than widen the
      // answer.
      // With a cluster, the cluster's cache answers the labelSelector.
      unsupportedOperators: { labelSelector: cluster ? [] : ['exists', '!'], metricSelector: ['exists', '!'] },
      windowSeconds: 60,
      stall: upstream.stall,
      unreachable: upstream.unreachable,
      async close() {
        await backend.close();
        await upstream.proxy.close();
        await sysdig.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

describeReadOnlyBackend('sysdig', { custom: true, external: true, unreachable: true }, open(false));
describeReadOnlyBackend('sysdig with a cluster', { custom: true, external: true, unreachable: true }, open(true));
