/**
 * The one error type of the selector module. It carries the HTTP code and Kubernetes reason itself, because
 * `selector/` imports nothing else from the project, so the server can map it to a 400 Status without guessing.
 * @module
 */

/** Thrown for a selector, label selector or label set a client got wrong. `message` is Go's text where Go has one. */
export class InvalidSelectorError extends Error {
  override readonly name = 'InvalidSelectorError';
  readonly code = 400;
  readonly reason = 'BadRequest';
}

/**
 * Longest selector or label-set text accepted, in UTF-16 code units. Go has no limit; we add one so a
 * huge query cannot burn CPU in the parser (Node's 16 KiB header limit already bounds a URL, so a real
 * client never reaches it).
 */
export const maxSelectorLength = 16 * 1024;

/** Throws unless `text` is within {@link maxSelectorLength}. `what` names the input in the message. */
export function checkLength(what: string, text: string): void {
  if (text.length > maxSelectorLength) {
    throw new InvalidSelectorError(`${what} is too long: ${text.length} characters, the limit is ${maxSelectorLength}`);
  }
}
