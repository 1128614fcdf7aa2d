/**
 * `metrics-adapter manifests`: prints what `helm install` of charts/metrics-adapter would install (the chart rendered
 * for a namespace, image and back end, with a fresh CA, the caBundle and the TLS Secret) for `kubectl apply -f -`.
 * It takes `serve`'s back-end flags and `--config`, and checks them as `serve` would before printing anything.
 * @module
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import { parseDuration } from '../duration/index.js';
import { formatManifests, renderManifests } from '../deploy/render-manifests.js';
import { ChartValuesError } from '../deploy/template/index.js';
import type { BackendFactory } from '../providers/backend.js';
import { backendNames } from '../providers/registry.js';
import { addBackendFlags } from './backend-flags.js';
import { planBackend } from './backend-plan.js';
import { CliError } from '../serving/cli-error.js';
import { readConfigFile } from './config-file.js';
import type { ServeFlags } from './serve-flags.js';

export interface ManifestsFlags {
  readonly namespace: string;
  readonly image: string;
  readonly backend?: string;
  readonly replicas?: number;
  readonly config?: string;
  readonly values?: string;
  readonly metricTtl?: string;
  readonly resourceMetrics?: boolean;
}

function replicaCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('must be a whole number, 1 or more.');
  return Number(text);
}

/** Adds the `manifests` command to `program`; `version` names the default image tag, `factories` add their flags. */
export function registerManifestsCommand(
  program: Command,
  version: string,
  factories: readonly BackendFactory<unknown>[] = [],
): Command {
  const command = program
    .command('manifests')
    .description(
      'print the Kubernetes objects of the Helm chart (with a fresh CA bundle and TLS Secret) for kubectl apply -f -',
    )
    .option('--namespace <ns>', 'namespace to deploy into', 'custom-metrics')
    .option('--image <image>', 'container image of the adapter', `metrics-adapter:${version}`)
    .addOption(
      new Option(
        '--backend <name>',
        "back end the adapter serves from (default: the config file's, else memory)",
      ).choices(backendNames),
    )
    .option(
      '--replicas <n>',
      'replicas of the Deployment (more than 1 needs a shared back end such as redis)',
      replicaCount,
    )
    .option(
      '--config <file>',
      "config file for serve (a back end's section, prometheus-adapter rules, or backends: and routes:), embedded as a ConfigMap",
    )
    .option('--values <file>', 'a values file of the Helm chart, applied over what the flags set')
    .option(
      '--metric-ttl <duration>',
      'drop written values not updated for this long, e.g. 10m (memory and redis back ends)',
    )
    .option(
      '--resource-metrics',
      'also register the resource metrics API (metrics.k8s.io, kubectl top) in place of metrics-server',
    );
  addBackendFlags(command, factories);
  return command
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action(async (flags: ManifestsFlags & Record<string, unknown>) => {
      if (flags.image.trim() === '') throw new CliError('--image must not be empty');
      const backendFlags = givenBackendFlags(factories, flags);
      const source = flags.config === undefined ? undefined : await readConfigFile(flags.config);
      // NB: the same planning `serve` does first, so a Deployment that could not start is never printed.
      const metricTtl = flags.metricTtl === undefined ? undefined : durationFlag('--metric-ttl', flags.metricTtl);
      await planBackend({ ...flags, metricTtl } as unknown as ServeFlags, source);
      let objects;
      try {
        objects = await renderManifests({
          namespace: flags.namespace,
          image: flags.image,
          backendFlags,
          ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
          ...(flags.replicas !== undefined ? { replicas: flags.replicas } : {}),
          ...(source !== undefined ? { config: source.data as Record<string, unknown> } : {}),
          ...(flags.values !== undefined ? { values: await readValues(flags.values) } : {}),
          ...(flags.metricTtl !== undefined ? { metricTtl: flags.metricTtl } : {}),
          ...(flags.resourceMetrics === true ? { resourceMetrics: true } : {}),
        });
      } catch (error) {
        if (error instanceof RangeError || error instanceof ChartValuesError) throw new CliError(error.message);
        throw error;
      }
      const header = [
        `metrics-adapter manifests ${process.argv.slice(3).join(' ')}`.trimEnd(),
        'The same objects as `helm install` of charts/metrics-adapter with these settings.',
        'Contains the private key of the serving certificate (Secret metrics-adapter-tls): apply it, do not commit it.',
      ].join('\n');
      process.stdout.write(formatManifests(objects, header));
    });
}

/** The back-end flags given, by flag name: `{ 'prometheus-url': 'http://...' }`. */
function givenBackendFlags(
  factories: readonly BackendFactory<unknown>[],
  parsed: Readonly<Record<string, unknown>>,
): Record<string, string | true> {
  const given: Record<string, string | true> = {};
  for (const factory of factories) {
    for (const flag of factory.flags ?? []) {
      const key = flag.name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
      const value = parsed[key];
      if (value === true || typeof value === 'string') given[flag.name] = value;
    }
  }
  return given;
}

function durationFlag(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new CliError(`${flag}: ${(error as Error).message}`);
  }
}

async function readValues(file: string): Promise<Record<string, unknown>> {
  let values: unknown;
  try {
    values = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(
      `cannot read values file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (values === null || values === undefined) return {};
  if (typeof values !== 'object' || Array.isArray(values))
    throw new CliError(`${file}: a values file must be a YAML mapping`);
  return values as Record<string, unknown>;
}
