/**
 * Splits the config file into the chosen back end and its section. The top level holds `backend`, one section per
 * back end, and the keys a back end claims through `topLevelKeys` (prometheus-adapter's `rules:`), which are moved
 * into that back end's section while their errors still point at their own lines.
 * @module
 */
import { z } from 'zod';
import type { BackendFactory } from '../providers/backend.js';
import { backendNames, isBackendName, type BackendName } from '../providers/registry.js';
import { CliError } from '../serving/cli-error.js';
import { validateConfig, type ConfigSource } from './config-file.js';
import { ingestConfigSchema, type IngestConfig } from '../ingest/index.js';
import { isRoutingConfig, routingIngestSchema } from '../routing/routing-config.js';

export interface BackendSection {
  readonly backendName: BackendName;
  /** The chosen back end's section, with its top-level keys moved in. */
  readonly section: unknown;
  /** The file, locating paths of `section` (under the back end's name) where they really are. */
  readonly source: ConfigSource | undefined;
}

const topLevelSchema = z
  .object({ backend: z.enum(backendNames as [string, ...string[]]).optional() })
  .catchall(z.unknown());

/** `flagBackend` (`--backend`) wins over the file's `backend:`; memory when neither names one. */
export function backendSectionOf(
  config: ConfigSource | undefined,
  factories: readonly BackendFactory<unknown>[],
  flagBackend: string | undefined,
): BackendSection {
  const data: Record<string, unknown> = config ? validateConfig(config, topLevelSchema, config.data) : {};
  const owners = new Map<string, string>();
  for (const factory of factories) for (const key of factory.topLevelKeys ?? []) owners.set(key, factory.name);
  const backendName = flagBackend ?? (data.backend as string | undefined) ?? 'memory';
  if (!isBackendName(backendName))
    throw new CliError(`unknown back end "${backendName}" (choose from ${backendNames.join(', ')})`);
  const hoisted: string[] = [];
  for (const key of Object.keys(data)) {
    // NB: `ingest:` (push ingestion rules) belongs to the server, not a back end; serve reads it.
    if (key === 'backend' || key === 'ingest' || isBackendName(key)) continue;
    const owner = owners.get(key);
    if (owner === undefined) {
      const allowed = ['backend', 'backends', 'ingest', ...backendNames, ...owners.keys()].join(', ');
      throw new CliError(`${config!.locate([key])}: ${key}: unknown key (allowed: ${allowed})`);
    }
    if (owner !== backendName) {
      throw new CliError(
        `${config!.locate([key])}: ${key}: a key of the ${owner} back end, but the back end is ${backendName} (pass --backend ${owner})`,
      );
    }
    hoisted.push(key);
  }
  let section = data[backendName];
  if (hoisted.length > 0) {
    const own =
      typeof section === 'object' && section !== null && !Array.isArray(section)
        ? (section as Record<string, unknown>)
        : {};
    for (const key of hoisted) {
      if (Object.hasOwn(own, key))
        throw new CliError(`${config!.locate([key])}: ${key}: given both here and as ${backendName}.${key}; keep one`);
    }
    section = { ...own, ...Object.fromEntries(hoisted.map((key) => [key, data[key]])) };
  }
  const fromTop = (path: readonly PropertyKey[]): boolean =>
    path[0] === backendName && hoisted.includes(String(path[1]));
  const source: ConfigSource | undefined =
    config === undefined || hoisted.length === 0
      ? config
      : {
          ...config,
          locate: (path) => config.locate(fromTop(path) ? path.slice(1) : path),
          keyPath: (path) => (fromTop(path) ? path.slice(1) : path).map(String).join('.'),
        };
  return { backendName, section, source };
}

/** The file's `ingest:` section (push ingestion rules), checked; undefined when absent. */
export function ingestSectionOf(config: ConfigSource | undefined): IngestConfig | undefined {
  const data = config?.data;
  if (config === undefined || typeof data !== 'object' || data === null || !('ingest' in data)) return undefined;
  const section = (data as Record<string, unknown>).ingest;
  if (section === null || section === undefined) return undefined;
  if (!isRoutingConfig(data)) return validateConfig(config, ingestConfigSchema, section, ['ingest']);
  // NB: a routing config's `ingest.backend` is the routing table's (routing-config.ts); the rest is the server's.
  const { backend: _backend, ...ingest } = validateConfig(config, routingIngestSchema, section, ['ingest']);
  return ingest;
}
