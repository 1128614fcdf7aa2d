#!/usr/bin/env node
/**
 * The `metrics-adapter` command. Usage mistakes print one line, `error: …`, and exit 2.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { addGenCertsFlags, runGenCerts, type GenCertsFlags } from './gen-certs.js';
import { serve } from './serve.js';
import { addServeFlags, normalizeKlogArgs, type ServeFlags } from './serve-flags.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function fail(message: string, exitCode: number): never {
  process.stderr.write(`error: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(exitCode);
}

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
).action(async (flags: ServeFlags) => {
  const running = await serve(flags);
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
});

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
  if (error instanceof CommanderError) {
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') process.exit(0);
    // NB: commander already printed the help text when a subcommand is missing.
    if (error.code === 'commander.help') process.exit(2);
    fail(error.message, 2);
  }
  if (error instanceof CliError) fail(error.message, error.exitCode);
  fail(`unexpected: ${(error as Error).stack ?? String(error)}`, 1);
}
