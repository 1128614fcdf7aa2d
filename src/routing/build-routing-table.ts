/**
 * Turns a checked routing config into a running table. Back ends whose name, kind and settings did not
 * change are carried over from the previous table, so a reload keeps a memory store's values and a
 * Prometheus back end's discovered series; only new or changed back ends are started.
 * @module
 */
import type { Backend } from '../providers/backend.js';
import type { BackendSpec, RoutingSpec } from './routing-config.js';
import { RoutingTable, type RoutedBackend } from './routing-table.js';

export type CreateBackend = (spec: BackendSpec) => Promise<Backend>;

export async function buildRoutingTable(
  spec: RoutingSpec,
  previous: RoutingTable | undefined,
  create: CreateBackend,
): Promise<RoutingTable> {
  const running = new Map((previous?.backends ?? []).map((b) => [`${b.name}\u0000${b.identity}`, b]));
  const started: Backend[] = [];
  const backends: RoutedBackend[] = [];
  try {
    for (const backendSpec of spec.backends) {
      const kept = running.get(`${backendSpec.name}\u0000${backendSpec.identity}`);
      if (kept !== undefined) {
        backends.push(kept);
        continue;
      }
      let backend: Backend;
      try {
        backend = await create(backendSpec);
      } catch (error) {
        throw new Error(
          `cannot start back end ${backendSpec.name} (${backendSpec.factory.name}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      started.push(backend);
      backends.push({
        name: backendSpec.name,
        kind: backendSpec.factory.name,
        identity: backendSpec.identity,
        backend,
      });
    }
  } catch (error) {
    await Promise.allSettled(started.map((b) => b.close()));
    throw error;
  }
  return new RoutingTable(backends, spec.routes, spec.freshness, spec.ingestBackend);
}
