/**
 * How an adapter process ends, shared by the `metrics-adapter` command and a library adapter's `run()`:
 * a mistake is one line, `error: …`, with exit code 2 (1 at run time); SIGTERM and SIGINT close and exit 0.
 * @module
 */
import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';

function fail(message: string, exitCode: number): never {
  process.stderr.write(
    `error: ${message
      .replace(/^error: /, '')
      .replace(/\s*\n\s*/g, ' ')
      .trim()}\n`,
  );
  process.exit(exitCode);
}

/** Ends the process for an error thrown while parsing flags or starting: commander's, a CliError, or anything else. */
export function exitOnError(error: unknown): never {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      process.exit(0);
    // NB: commander already printed the help text when a subcommand is missing.
    if (error.code === 'commander.help') process.exit(2);
    fail(error.message, 2);
  }
  if (error instanceof CliError) fail(error.message, error.exitCode);
  fail(`unexpected: ${(error as Error).stack ?? String(error)}`, 1);
}

/** Closes `running` on the first SIGTERM or SIGINT and exits; a second signal exits at once. */
export function closeOnSignals(running: { close(): Promise<void> }): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
