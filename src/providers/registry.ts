/**
 * The back ends `--backend` can name: one lazy import per line, so a memory-only user never loads
 * another back end's client library. The keys are the valid choices and appear in `--help`.
 * @module
 */
import type { BackendFactory } from './backend.js';

export const backends = {
  memory: () => import('./memory/index.js'),
  forward: () => import('./forward/index.js'),
  prometheus: () => import('./prometheus/index.js'),
  redis: () => import('./redis/index.js'),
  sysdig: () => import('./sysdig/index.js'),
} satisfies Record<string, () => Promise<{ default: BackendFactory<unknown> }>>;

export type BackendName = keyof typeof backends;

export const backendNames = Object.keys(backends) as BackendName[];

export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(backends, name);
}

export async function loadBackend(name: BackendName): Promise<BackendFactory<unknown>> {
  const module = await backends[name]();
  return module.default as BackendFactory<unknown>;
}

/** Every factory, for the flags they add to `serve`. Cheap: factories import their client libraries lazily. */
export function loadAllBackends(): Promise<BackendFactory<unknown>[]> {
  return Promise.all(backendNames.map(loadBackend));
}
