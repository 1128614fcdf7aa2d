import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createSilentLogger } from '../../log/index.js';
import {
  describeReadOnlyBackend,
  describeWritableBackend,
  fixtureObjectLister,
  writeFixture,
} from '../conformance/index.js';
import memoryBackend from './index.js';

const deps = { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() };

describeWritableBackend('memory', () => memoryBackend.create({}, {}, deps));

describeReadOnlyBackend(
  'memory with a cluster',
  { custom: true, external: true, unreachable: false },
  async (fixture) =>
    writeFixture(await memoryBackend.create({}, {}, { ...deps, objectLister: fixtureObjectLister(fixture) }), fixture),
);
