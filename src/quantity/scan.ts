/**
 * The lexical half of Go `ParseQuantity` (`parseQuantityString`): split a quantity into sign, integer digits,
 * fraction digits and suffix text. Which suffixes mean what is `parse.ts`'s job.
 * @module
 */
import { formatWrongMessage, invalidQuantity } from './errors.js';

/** The pieces of a quantity's text; `suffix` is unchecked (`Ki`, `e-3`, `k+3`, …). */
export interface ScannedQuantity {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
  readonly suffix: string;
}

const suffixLetters = 'eEinumkKMGTP';

/** NB: false for NaN, what `charCodeAt` gives past the end, so the digit loops need no bounds check. */
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Splits `text` as Go's scanner does: `[+-]?digits[.digits]`, then letters from `eEinumkKMGTP`, then an
 * optional sign and digits. Throws Go's format error when anything else follows, and a clearer error when
 * the number has no digit at all.
 */
export function scanQuantity(text: string): ScannedQuantity {
  const end = text.length;
  let pos = 0;
  const first = text.charCodeAt(0);
  const negative = first === 45; /* - */
  if (negative || first === 43 /* + */) pos++;

  const integerStart = pos;
  while (isDigit(text.charCodeAt(pos))) pos++;
  const integer = text.slice(integerStart, pos);
  let fraction = '';
  if (text.charCodeAt(pos) === 46 /* . */) {
    const fractionStart = ++pos;
    while (isDigit(text.charCodeAt(pos))) pos++;
    fraction = text.slice(fractionStart, pos);
  }
  // NB: Go's scanner reads a missing number as 0, so it accepts `.`, `-`, `m` and `Ki` as zero. The grammar
  // (spec §5.1, `<number>` needs a digit) does not, and neither do we.
  if (integer === '' && fraction === '') {
    if (pos === integerStart) throw invalidQuantity(text, formatWrongMessage);
    throw invalidQuantity(text, 'the number has no digits');
  }

  const suffixStart = pos;
  while (pos < end && suffixLetters.includes(text.charAt(pos))) pos++;
  const sign = text.charCodeAt(pos);
  if (sign === 43 /* + */ || sign === 45 /* - */) pos++;
  while (isDigit(text.charCodeAt(pos))) pos++;
  if (pos !== end) throw invalidQuantity(text, formatWrongMessage);
  return { negative, integer, fraction, suffix: text.slice(suffixStart) };
}
