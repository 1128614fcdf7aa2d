/**
 * `metrics-adapter manifests`: prints everything a cluster needs (deploy/manifests rendered for a
 * namespace, image and back end, with a fresh caBundle and matching TLS Secret) for `kubectl apply -f -`.
 * @module
 */
import { Command, Option } from 'commander';
import { formatManifests, renderManifests } from '../deploy/render-manifests.js';
import { backendNames } from '../providers/registry.js';
import { CliError } from './cli-error.js';

export interface ManifestsFlags {
  readonly namespace: string;
  readonly image: string;
  readonly backend: string;
  readonly resourceMetrics: boolean;
}

/** Adds the `manifests` command to `program`; `version` names the default image tag. */
export function registerManifestsCommand(program: Command, version: string): Command {
  return program
    .command('manifests')
    .description('print the Kubernetes manifests (with a fresh CA bundle and TLS Secret) for kubectl apply -f -')
    .option('--namespace <ns>', 'namespace to deploy into', 'custom-metrics')
    .option('--image <image>', 'container image of the adapter', `metrics-adapter:${version}`)
    .addOption(new Option('--backend <name>', 'back end the adapter serves from').choices(backendNames).default('memory'))
    .option('--resource-metrics', 'also register the adapter as the resource metrics API (metrics.k8s.io, kubectl top) in place of metrics-server', false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action(async (flags: ManifestsFlags) => {
      if (flags.image.trim() === '') throw new CliError('--image must not be empty');
      let objects;
      try {
        objects = await renderManifests(flags);
      } catch (error) {
        if (error instanceof RangeError) throw new CliError(error.message);
        throw error;
      }
      const header = [
        `metrics-adapter manifests --namespace ${flags.namespace} --image ${flags.image} --backend ${flags.backend}${flags.resourceMetrics ? ' --resource-metrics' : ''}`,
        'Contains the private key of the serving certificate (Secret metrics-adapter-tls): apply it, do not commit it.',
      ].join('\n');
      process.stdout.write(formatManifests(objects, header));
    });
}
