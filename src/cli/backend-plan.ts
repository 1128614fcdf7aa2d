/**
 * Which back end(s) `serve` runs, from the flags and the config file: one back end (`--backend`, or
 * `backend:` with its section), or several behind routes (`backends:`), with live reload of the file.
 * Planning checks everything first, so a mistake is one line before anything starts.
 * @module
 */
import type { z } from 'zod';
import type { Logger } from '../log/index.js';
import type { Backend, BackendDeps, BackendFactory } from '../providers/backend.js';
import type { CommonBackendFlags } from '../providers/backend-flag.js';
import { loadAllBackends, loadBackend } from '../providers/registry.js';
import { buildRoutingTable, type CreateBackend } from '../routing/build-routing-table.js';
import { ConfigReloader } from '../routing/config-reloader.js';
import { RoutingBackend } from '../routing/routing-backend.js';
import { isRoutingConfig, parseRoutingConfig, type RoutingSpec } from '../routing/routing-config.js';
import { backendConfigFrom, backendFlagsGiven } from './backend-flags.js';
import { CliError } from '../serving/cli-error.js';
import { readConfigFile, validateConfig, type ConfigSource } from './config-file.js';
import { backendSectionOf } from './config-sections.js';
import type { ServeFlags } from './serve-flags.js';

export interface RunningBackend {
  readonly backend: Backend;
  /** Config reloads, for `/metrics`; undefined without a routing config. */
  readonly reloader?: ConfigReloader;
  /** The back end `name` of the config (the single back end answers to its kind), for MetricQuery objects. */
  named(name: string): { readonly kind: string; readonly queries?: Backend['queries'] } | undefined;
  /** Changes identity when the back ends do (a config reload). */
  version(): unknown;
  close(): Promise<void>;
}

export interface BackendPlan {
  /** For the log: `memory`, or `routing (memory, prom-a)`. */
  readonly label: string;
  start(deps: BackendDeps, logger: Logger): Promise<RunningBackend>;
}

function commonFlags(flags: ServeFlags): CommonBackendFlags {
  return flags.metricTtl === undefined ? {} : { metricTtlMs: flags.metricTtl };
}

export async function planBackend(flags: ServeFlags, config: ConfigSource | undefined): Promise<BackendPlan> {
  const factories = await loadAllBackends();
  if (config !== undefined && isRoutingConfig(config.data)) return planRouting(flags, config, factories);
  const { backendName, section, source } = backendSectionOf(config, factories, flags.backend);
  const factory = await loadBackend(backendName);
  const backendConfig = backendConfigFrom(factory, factories, flags, source, section);
  return {
    label: backendName,
    async start(deps) {
      try {
        const backend = await factory.create(backendConfig, commonFlags(flags), deps);
        return {
          backend,
          named: (name) => (name === backendName ? { kind: backendName, queries: backend.queries } : undefined),
          version: () => backend,
          close: () => backend.close(),
        };
      } catch (error) {
        throw new CliError(`cannot start the ${backendName} back end: ${(error as Error).message}`, 1);
      }
    },
  };
}

function parseFile(source: ConfigSource, factories: readonly BackendFactory<unknown>[]): RoutingSpec {
  const validate = <T>(schema: z.ZodType<T>, value: unknown, path: readonly PropertyKey[]): T =>
    validateConfig(source, schema, value, path);
  return parseRoutingConfig(source.data, validate, factories);
}

function planRouting(
  flags: ServeFlags,
  config: ConfigSource,
  factories: readonly BackendFactory<unknown>[],
): BackendPlan {
  if (flags.backend !== undefined) {
    throw new CliError(
      `--backend cannot be used with a config file that lists backends (${config.file}); route metrics there instead`,
    );
  }
  const given = backendFlagsGiven(factories, flags);
  if (given !== undefined) {
    throw new CliError(
      `${given} cannot be used with a config file that lists backends (${config.file}); set it in that back end's entry`,
    );
  }
  const spec = parseFile(config, factories);
  return {
    label: `routing (${spec.backends.map((b) => b.name).join(', ')})`,
    async start(deps, logger) {
      // NB: two back ends of one kind (prom-a, prom-b) log alike; the entry's name tells them apart.
      const create: CreateBackend = (backendSpec) =>
        backendSpec.factory.create(backendSpec.config, commonFlags(flags), {
          ...deps,
          logger: deps.logger.child({ backendName: backendSpec.name }),
        });
      let table;
      try {
        table = await buildRoutingTable(spec, undefined, create);
      } catch (error) {
        throw new CliError((error as Error).message, 1);
      }
      const routing = new RoutingBackend(table, deps.resourceMapper, {
        acceptsWrites: table.backends.some((b) => b.backend.writer !== undefined),
      });
      const reloader = new ConfigReloader({
        file: config.file,
        routing,
        create,
        logger,
        async load() {
          const source = await readConfigFile(config.file);
          if (!isRoutingConfig(source.data)) {
            throw new CliError(
              `${config.file}: the file no longer lists backends; restart the adapter to change from routing to a single back end`,
            );
          }
          return parseFile(source, factories);
        },
      });
      await reloader.start();
      return {
        backend: routing,
        reloader,
        named(name) {
          const routed = routing.current.backends.find((b) => b.name === name);
          return routed === undefined ? undefined : { kind: routed.kind, queries: routed.backend.queries };
        },
        version: () => routing.current,
        async close() {
          reloader.close();
          await routing.close();
        },
      };
    },
  };
}
