/**
 * One place that turns any thrown error into a metav1.Status answer: StatusErrors as they are, parse
 * errors of quantities, selectors and durations as 400, and anything else as a generic 500 whose
 * detail goes only to the log.
 * @module
 */
import { badRequest, internalError, StatusError } from '../api/errors.js';
import { InvalidDurationError } from '../duration/index.js';
import { InvalidQuantityError } from '../quantity/index.js';
import { InvalidSelectorError } from '../selector/index.js';

export const writeBodyLimit = 64 * 1024;

export function toStatusError(error: unknown): StatusError {
  if (error instanceof StatusError) return error;
  if (
    error instanceof InvalidQuantityError ||
    error instanceof InvalidSelectorError ||
    error instanceof InvalidDurationError
  ) {
    return badRequest(error.message, { cause: error });
  }
  return internalError(error);
}
