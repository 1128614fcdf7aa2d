#!/usr/bin/env node
/**
 * The `metrics-adapter` command. Usage mistakes print one line, `error: …`, and exit 2.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadAllBackends } from '../providers/registry.js';
import { closeOnSignals, exitOnError } from '../serving/process-exit.js';
import { addConfigCommand } from './config-check.js';
import { registerExplainCommand } from './explain.js';
import { registerManifestsCommand } from './manifests.js';
import { addGenCertsFlags, runGenCerts, type GenCertsFlags } from './gen-certs.js';
import { serve } from './serve.js';
import { createLogger } from '../log/index.js';
import { isPeerInvocation, translatePeerArgs } from './peer-args.js';
import { addServeFlags, type ServeFlags } from './serve-flags.js';
import { normalizeKlogArgs } from '../serving/serving-flags.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// NB: prometheus-adapter's Deployment and chart start the image with its flags and no subcommand.
const peer = isPeerInvocation(process.argv.slice(2))
  ? translatePeerArgs(normalizeKlogArgs(process.argv.slice(2)), process.env.KUBERNETES_SERVICE_HOST !== undefined)
  : undefined;

const program = new Command('metrics-adapter')
  .description('Kubernetes custom.metrics.k8s.io and external.metrics.k8s.io API server')
  .version(version)
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

addServeFlags(
  program
    .command('serve')
    .description('serve the custom and external metrics APIs over HTTPS')
    .exitOverride()
    .configureOutput({ outputError: () => undefined }),
  { backendFactories: await loadAllBackends() },
).action(async (flags: ServeFlags) => {
  const logger = createLogger({ format: flags.logFormat, verbosity: flags.v });
  if (peer !== undefined) {
    logger.info(
      { args: peer.args },
      "started with prometheus-adapter's arguments: serving as `metrics-adapter serve` with these",
    );
    for (const note of peer.notes) logger.info(note);
  }
  closeOnSignals(await serve(flags, logger));
});

addConfigCommand(program, await loadAllBackends());
registerExplainCommand(program);
registerManifestsCommand(program, version, await loadAllBackends());
addGenCertsFlags(
  program
    .command('gen-certs')
    .description('write a CA and a serving certificate for the adapter Service; print the APIService caBundle')
    .exitOverride()
    .configureOutput({ outputError: () => undefined }),
).action((flags: GenCertsFlags) => runGenCerts(flags));

try {
  await program.parseAsync(
    peer === undefined ? normalizeKlogArgs(process.argv) : [...process.argv.slice(0, 2), 'serve', ...peer.args],
  );
} catch (error) {
  exitOnError(error);
}
