/**
 * A JSON logger whose lines a test reads back, for asserting what the adapter logged.
 * @module
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/index.js';

/** `verbosity` as the CLI's `-v`: 4 and up logs debug lines too. `lines` holds one JSON line per entry. */
export function capturedLog(verbosity = 0): { readonly logger: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ format: 'json', verbosity, destination }), lines };
}
