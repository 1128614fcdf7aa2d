/**
 * The one error type of the certificates module: a one-line message meant for the person running
 * the server, with a stable `code` so callers (the CLI) can tell it from programming errors.
 * @module
 */

/** A certificate or key that cannot be read, parsed, used or written. `message` is one line. */
export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  readonly code = 'CertificateError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Turns a file-system error into the few words a user needs ("no such file or directory"). */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
