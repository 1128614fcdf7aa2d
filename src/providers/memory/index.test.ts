import { createStaticResourceMapper } from '../../kube/static-resource-mapper.js';
import { createSilentLogger } from '../../log/index.js';
import { describeWritableBackend } from '../conformance/index.js';
import memoryBackend from './index.js';

describeWritableBackend('memory', () =>
  memoryBackend.create({}, {}, { logger: createSilentLogger(), resourceMapper: createStaticResourceMapper() }));
