/**
 * Label sets as text: `parseLabelSet` reads the write API's `labels=k=v,k2=v2` parameter, after Go
 * `labels.ConvertSelectorToLabelsMap`; `labelSetKey` gives the store one canonical string per label set.
 * @module
 */
import type { Labels } from '../api/types.js';
import { checkLength, InvalidSelectorError } from './errors.js';
import { fieldInvalid, goQuote } from './go-text.js';
import { labelKeyProblems, labelValueProblems } from './label-validation.js';

/** Go `unicode.IsSpace`, which `strings.TrimSpace` uses (JavaScript's `trim` differs on U+0085 and U+FEFF). */
function isGoSpace(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, charCodeAt past the end is NaN,
  // which is no space.
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, an all-space text left start at
  // the end already, and slice gives '' for end ≤ start either way.
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/**
 * The labels in `k=v,k2=v2` (Go `labels.ConvertSelectorToLabelsMap`): items split on `,`, each split on `=`,
 * key and value trimmed of spaces and validated as label key and value, with Go's messages. `''` is `{}`.
 * NB: three deliberate differences from Go, which fit a write API better: an item that is not `key=value` is named
 * in plain words (Go prints the split parts, `invalid selector: [a b c]`, which reads as a bug report), `k==v` is
 * accepted as `k=v`, and a repeated key is an error (Go keeps the last value silently).
 */
export function parseLabelSet(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === '') return labels;
  checkLength('label set', text);
  for (const item of text.split(',')) {
    let parts = item.split('=');
    if (parts.length === 3 && parts[1] === '') parts = [parts[0]!, parts[2]!];
    if (parts.length !== 2) throw new InvalidSelectorError(notKeyValue(item));
    const key = goTrimSpace(parts[0]!);
    const keyProblems = labelKeyProblems(key);
    // NB: Go validates with a nil field path: `<nil>` for the key and `[key]` for the value.
    if (keyProblems.length > 0)
      throw new InvalidSelectorError(fieldInvalid('<nil>', goQuote(key), keyProblems.join('; ')));
    const value = goTrimSpace(parts[1]!);
    const valueProblems = labelValueProblems(value);
    if (valueProblems.length > 0)
      throw new InvalidSelectorError(fieldInvalid(`[${key}]`, goQuote(value), valueProblems.join('; ')));
    if (Object.hasOwn(labels, key)) throw new InvalidSelectorError(`duplicate label key ${goQuote(key)}`);
    labels[key] = value;
  }
  return labels;
}

function notKeyValue(item: string): string {
  if (goTrimSpace(item) === '') return 'an empty item (a stray ",") is not key=value';
  return `${goQuote(item)} is not key=value`;
}

/**
 * Whether `text` holds a character that `labelSetKey` must escape to stay unambiguous. Only a shortcut: a `true`
 * where `false` was due costs a replace() that finds nothing, which is why the marks below are equivalent.
 */
function needsEscape(text: string): boolean {
  // Stryker disable next-line EqualityOperator: equivalent, charCodeAt past the end is NaN, which needs no escape.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Stryker disable next-line EqualityOperator: equivalent, `!==` says true more often (see above).
    if (code === 44 /* , */ || code === 61 /* = */ || code === 92 /* \ */) return true;
  }
  // Stryker disable next-line BooleanLiteral: equivalent, see above.
  return false;
}

function escaped(text: string): string {
  return needsEscape(text) ? text.replace(/[,=\\]/g, '\\$&') : text;
}

/**
 * A canonical string for a label set, equal for equal sets and different for different ones: `k=v` pairs
 * sorted by key and joined by `,` (`''` for no labels). Valid label keys and values never contain `,`, `=` or
 * `\`; should unvalidated ones (a library user's labels) hold them, they are escaped with `\` so two sets
 * never share a key.
 */
export function labelSetKey(labels: Labels): string {
  const keys = Object.keys(labels);
  // Stryker disable next-line ConditionalExpression: equivalent, the loop below gives '' for no keys.
  if (keys.length === 0) return '';
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, sorting one key changes nothing.
  if (keys.length > 1) keys.sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i > 0) out += ',';
    out += escaped(key) + '=' + escaped(labels[key]!);
  }
  return out;
}
