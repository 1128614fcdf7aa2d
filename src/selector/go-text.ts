/**
 * Go's renderings that end up inside selector error messages: `strconv.Quote` (`%q`), `encoding/json` for a
 * string list, `field.Invalid(...).Error()` and `utilerrors.Aggregate.Error()`. Only error paths use these,
 * so clarity wins over speed here.
 * @module
 */

const lowerHex = '0123456789abcdef';
// NB: Go `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
// Stryker disable next-line Regex: equivalent, it only ever tests one code point, so the anchors change nothing.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const loneSurrogate = /[\uD800-\uDFFF]/gu;

function hex(value: number, digits: number): string {
  let out = '';
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += lowerHex[(value >> shift) & 0xf];
  return out;
}

/** Go `strconv.Quote(text)`, i.e. what `%q` prints for a string. */
export function goQuote(text: string): string {
  let out = '"';
  // NB: a lone surrogate cannot survive the UTF-8 encoding Go sees; it arrives there as U+FFFD.
  for (const char of text.replace(loneSurrogate, '\uFFFD')) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += '\\' + char;
    else if (printable.test(char)) out += char;
    else if (code === 7) out += '\\a';
    else if (code === 8) out += '\\b';
    else if (code === 12) out += '\\f';
    else if (code === 10) out += '\\n';
    else if (code === 13) out += '\\r';
    else if (code === 9) out += '\\t';
    else if (code === 11) out += '\\v';
    // Stryker disable next-line EqualityOperator: equivalent, U+0020 (space) is printable and written above.
    else if (code < 0x20 || code === 0x7f) out += '\\x' + hex(code, 2);
    // Stryker disable next-line EqualityOperator: equivalent, U+10000 is a letter (Linear B), printable.
    else if (code < 0x10000) out += '\\u' + hex(code, 4);
    else out += '\\U' + hex(code, 8);
  }
  return out + '"';
}

/** Go `json.Marshal` of a `[]string`; `null` for Go's nil slice (an empty list here). */
export function goJsonStrings(values: readonly string[]): string {
  if (values.length === 0) return 'null';
  const parts = values.map((value) =>
    // NB: Go's encoder also escapes <, >, & and U+2028/9 (encoding/json `HTMLEscape` default).
    JSON.stringify(value.replace(loneSurrogate, '\uFFFD')).replace(
      /[<>&\u2028\u2029]/g,
      (c) => '\\u' + hex(c.charCodeAt(0), 4),
    ),
  );
  return `[${parts.join(',')}]`;
}

/** Go `field.Invalid(path, value, detail).Error()`; `renderedValue` is already `%q`- or JSON-rendered. */
export function fieldInvalid(path: string, renderedValue: string, detail: string): string {
  return `${path}: Invalid value: ${renderedValue}: ${detail}`;
}

/** Go `ErrorList.ToAggregate().Error()`: duplicates dropped, one message bare, several as `[a, b]`. */
export function aggregateMessage(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}
