/**
 * `Adapter.run()`: a user's own adapter binary with the standard serving flags and TLS, through the same
 * path as `metrics-adapter serve` (prepareServing, listenAndAnnounce, the one-line errors). Loaded lazily,
 * so a library user who only calls `listen()` never loads commander.
 * @module
 */
import { basename, extname } from 'node:path';
import { Command } from 'commander';
import { createLogger, type Logger } from '../log/index.js';
import { closeOnSignals, exitOnError } from './process-exit.js';
import {
  listenAndAnnounce,
  prepareServing,
  type RunningAdapter,
  type ServableAdapter,
  type ServedApis,
  type ServingSetup,
} from './serve-setup.js';
import { addServingFlags, normalizeKlogArgs, type ServingFlags } from './serving-flags.js';

export interface RunHooks {
  /** The user's own logger; else one from `--log-format` and `-v`. */
  readonly logger?: Logger;
  /** Builds the server with the TLS, logger and verbosity the flags chose. */
  start(serving: ServingSetup['serverOptions']): ServableAdapter;
  /** The metrics APIs the built server answers (asked after `start`), for the start-up line's example read. */
  served?(): ServedApis;
}

/** Parses `argv`, serves, and closes on SIGTERM/SIGINT; on a mistake prints `error: …` and exits. */
export async function runAdapter(argv: readonly string[], hooks: RunHooks): Promise<RunningAdapter> {
  const script = process.argv[1];
  const command = addServingFlags(
    new Command(script === undefined ? 'adapter' : basename(script, extname(script)))
      .description('serve the Kubernetes custom and external metrics APIs over HTTPS')
      .exitOverride()
      .configureOutput({ outputError: () => undefined }),
  );
  try {
    command.parse(normalizeKlogArgs(argv), { from: 'user' });
    const flags = command.opts<ServingFlags>();
    const logger = hooks.logger ?? createLogger({ format: flags.logFormat, verbosity: flags.v });
    const setup = await prepareServing(flags, logger);
    const adapter = hooks.start(setup.serverOptions);
    const running = await listenAndAnnounce(adapter, flags, setup, {}, undefined, hooks.served?.());
    closeOnSignals(running);
    return running;
  } catch (error) {
    return exitOnError(error);
  }
}
