/**
 * The one error type of the quantity module, plus Go's error texts. It carries the HTTP code and Kubernetes
 * reason itself, because `quantity/` imports nothing else from the project, so the server can map it to a
 * 400 Status without guessing.
 * @module
 */

/** Thrown for a quantity a client got wrong. `message` ends with Go's text where Go has one. */
export class InvalidQuantityError extends Error {
  override readonly name = 'InvalidQuantityError';
  readonly code = 400;
  readonly reason = 'BadRequest';
}

/** Go `resource.ErrFormatWrong`: the text does not scan as number plus suffix. */
export const formatWrongMessage =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Go `resource.ErrSuffix`: the suffix scanned but is not one Go knows. */
export const suffixMessage = "unable to parse quantity's suffix";

/** Longest quantity text accepted. Go has no limit; the longest canonical form is about 25 characters. */
export const maxQuantityLength = 128;

/** The error for `input`, quoted (and shortened when huge) so the message stays one readable line. */
export function invalidQuantity(input: string, problem: string): InvalidQuantityError {
  const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
  return new InvalidQuantityError(`invalid quantity ${JSON.stringify(shown)}: ${problem}`);
}
