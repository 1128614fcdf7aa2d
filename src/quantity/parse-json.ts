/**
 * The write API's request body: one JSON value holding a quantity, read the way Go's
 * `Quantity.UnmarshalJSON` reads it (quotes stripped, surrounding whitespace trimmed, bare numbers allowed).
 * @module
 */
import { InvalidQuantityError, maxQuantityLength } from './errors.js';
import { parseQuantity } from './parse.js';
import type { Quantity } from './quantity.js';

const expected = 'body must be a JSON quantity string such as "300m" or a JSON number';
/** Longest body read. A quantity body is a few dozen bytes; this stops a huge one reaching `JSON.parse`. */
const maxBodyLength = 8 * maxQuantityLength;

// NB: RFC 8259 whitespace around the value, and the RFC 8259 number grammar (no `+`, no leading zeros, no `.5`).
const jsonWhitespace = /^[ \t\n\r]+|[ \t\n\r]+$/g;
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// NB: Go `strings.TrimSpace` trims Unicode White_Space: JavaScript's `trim()` also strips U+FEFF and keeps U+0085.
const goSpace =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/**
 * The quantity in a raw JSON body: a string (`"300m"`, `" 1.5Gi "`; inner whitespace trimmed as Go does) or a
 * number (`42`, `-1.5`, `1e3`), read from its exact text and never through a float. Anything else (object, array,
 * null, boolean, invalid JSON, empty body) throws {@link InvalidQuantityError} naming the problem.
 */
export function parseQuantityJson(raw: string): Quantity {
  if (raw.length > maxBodyLength) fail(`body is longer than ${maxBodyLength} characters`);
  const text = raw.replace(jsonWhitespace, '');
  if (text === '') fail('body is empty');
  const first = text.charAt(0);
  if (first === '"') return parseQuantity(decodeString(text).replace(goSpace, ''));
  if (first === '-' || (first >= '0' && first <= '9')) {
    if (!jsonNumber.test(text)) fail('body is not a valid JSON number');
    return parseQuantity(text);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('body is not valid JSON');
  }
  fail(`body is ${describe(value)}`);
}

/**
 * The JSON string `text`, escapes decoded. NB: Go hands UnmarshalJSON the raw bytes, so an escaped quantity
 * (`"\u0031"`) fails there; decoding is the standard JSON reading and a valid quantity never needs an escape.
 */
function decodeString(text: string): string {
  try {
    // NB: `text` starts with `"`, so JSON.parse either throws or returns a string.
    return JSON.parse(text) as string;
  } catch {
    fail('body is not a valid JSON string');
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function fail(problem: string): never {
  throw new InvalidQuantityError(`invalid quantity body: ${problem}; ${expected}`);
}
