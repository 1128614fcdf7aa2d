/**
 * Go `strconv.ParseInt(text, 10, 64)` for the `>`/`<` operators, which compare label values as int64.
 * Hand-written: it runs per object on the match path, and `Number()`/`parseInt()` accept forms Go rejects
 * (`1e3`, ` 1`, `0x10`, `1.0`) and lose precision past 2^53.
 * @module
 */

const int64Max = 9223372036854775807n;
const int64MinMagnitude = 9223372036854775808n;

/**
 * The integer `text` denotes, or undefined when Go's ParseInt would fail: an optional `+`/`-`, then one or more
 * ASCII digits, within int64. A number when exact (up to 15 digits), a bigint otherwise; JavaScript compares
 * the two exactly.
 */
export function parseInt64(text: string): number | bigint | undefined {
  const length = text.length;
  let start = 0;
  const first = text.charCodeAt(0);
  if (first === 43 /* + */ || first === 45 /* - */) start = 1;
  if (start === length) return undefined;
  let value = 0;
  for (let i = start; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  const negative = first === 45;
  if (length - start <= 15) return negative ? -value : value;
  // NB: only the long form pays for a bigint; leading zeros may still leave it small.
  const magnitude = BigInt(text.slice(start));
  if (magnitude > (negative ? int64MinMagnitude : int64Max)) return undefined;
  return negative ? -magnitude : magnitude;
}
