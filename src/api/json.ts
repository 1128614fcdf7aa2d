/**
 * JSON text exactly as Go's encoding/json writes it for the apiserver: HTML-significant characters
 * and U+2028/U+2029 escaped, a trailing newline after compact output (json.Encoder.Encode), and
 * MarshalIndent's two-space layout for pretty output.
 * @module
 */

// Stryker disable next-line Regex: equivalent, this test only skips a replace() that would find nothing.
const goEscapeTest = /[<>&\u2028\u2029]/;
const goEscapes = /[<>&\u2028\u2029]/g;
const goEscapeTable: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Applies Go's extra escapes to JSON text that JSON.stringify produced. */
export function goEscape(json: string): string {
  // NB: Go's encoder has SetEscapeHTML(true) by default, and apimachinery never turns it off.
  return goEscapeTest.test(json) ? json.replace(goEscapes, (c) => goEscapeTable[c] ?? c) : json;
}

/** A JSON string literal as Go writes it. */
export function goString(value: string): string {
  return goEscape(JSON.stringify(value));
}

/** Compact body as json.Encoder.Encode writes it, newline included. */
export function goJson(value: unknown): string {
  return `${goEscape(JSON.stringify(value))}\n`;
}

/** Re-indents a compact body the way json.MarshalIndent(v, "", "  ") does (no trailing newline). */
export function goPretty(compactBody: string): string {
  return goEscape(JSON.stringify(JSON.parse(compactBody), null, 2));
}
