#!/usr/bin/env node
/**
 * The `metrics-adapter` command. Usage mistakes print one line, `error: …`, and exit 2.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadAllBackends } from '../providers/registry.js';
import { closeOnSignals, exitOnError } from './process-exit.js';
import { addConfigCommand } from './config-check.js';
import { registerExplainCommand } from './explain.js';
import { registerManifestsCommand } from './manifests.js';
import { addGenCertsFlags, runGenCerts, type GenCertsFlags } from './gen-certs.js';
import { serve } from './serve.js';
import { addServeFlags, normalizeKlogArgs, type ServeFlags } from './serve-flags.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

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
  closeOnSignals(await serve(flags));
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
  await program.parseAsync(normalizeKlogArgs(process.argv));
} catch (error) {
  exitOnError(error);
}
