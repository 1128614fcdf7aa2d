/**
 * The adapter's logger: pino, JSON or one-line text, on stderr like every Kubernetes component.
 * klog's `-v N` maps onto levels: 0-1 info, 2-3 info plus one line per request, 4+ debug.
 * @module
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly format: LogFormat;
  readonly verbosity: number;
  /** Where to write; stderr when omitted. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = options.verbosity >= 4 ? 'debug' : 'info';
  const base = { level, base: undefined };
  if (options.format === 'json') {
    return pino(base, options.destination ?? pino.destination({ fd: 2, sync: true }));
  }
  const stream = pretty({
    sync: true,
    singleLine: true,
    colorize: false,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    destination: options.destination ?? 2,
  });
  return pino(base, stream);
}

/** A logger that drops everything: for tests and library users who bring none. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
