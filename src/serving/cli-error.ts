/**
 * The CLI's error: one line for the user, and an exit code (2 for a usage or configuration
 * mistake, 1 for a failure at run time).
 * @module
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}
