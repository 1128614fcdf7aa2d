/**
 * One selector requirement: its type, Go `labels.NewRequirement` validation with Go's error texts, and
 * Go's `Requirement.String()`.
 * @module
 */
import { aggregateMessage, fieldInvalid, goJsonStrings, goQuote } from './go-text.js';
import { parseInt64 } from './int64.js';
import { labelKeyProblems, labelValueProblems } from './label-validation.js';

/** Go `selection.Operator`, spelled as Go spells it: `exists`, `!` (does not exist), `gt`, `lt`. */
export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** A key, an operator and its values (sorted; see {@link newRequirement}). */
export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/**
 * Go `sort.Strings` order: bytewise over UTF-8. UTF-16 code-unit order agrees except between a surrogate
 * pair and U+E000..U+FFFF, which this corrects.
 */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // NB: surrogates (0xD800..0xDFFF) encode code points above U+FFFF, so they must sort after U+E000..U+FFFF:
      // shift E000..FFFF down to D800..F7FF and surrogates up to F800..FFFF.
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * Go `labels.NewRequirement`: checks the key (unless the parser already did), the number of values for the
 * operator, `gt`/`lt` integers, and each value, and returns Go's aggregated error text, or the requirement.
 * Values are stored sorted. NB: like Go, duplicates are kept here (only the string parser's set removes them),
 * so `String()` of a LabelSelector `In [b,a,a]` is `in (a,a,b)` as in Go's `safeSort`.
 */
export function newRequirement(
  key: string,
  operator: Operator,
  values: readonly string[],
  checkKey = true,
): Requirement | string {
  const problems: string[] = [];
  if (checkKey) {
    const keyProblems = labelKeyProblems(key);
    if (keyProblems.length > 0) problems.push(fieldInvalid('key', goQuote(key), keyProblems.join('; ')));
  }
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        problems.push(
          fieldInvalid('values', goJsonStrings(values), "for 'in', 'notin' operators, values set can't be empty"),
        );
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        problems.push(
          fieldInvalid('values', goJsonStrings(values), 'exact-match compatibility requires one single value'),
        );
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        problems.push(
          fieldInvalid('values', goJsonStrings(values), 'values set must be empty for exists and does not exist'),
        );
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        problems.push(
          fieldInvalid('values', goJsonStrings(values), "for 'Gt', 'Lt' operators, exactly one value is required"),
        );
      values.forEach((value, i) => {
        if (parseInt64(value) === undefined) {
          problems.push(
            fieldInvalid(`values[${i}]`, goQuote(value), "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
  }
  values.forEach((value, i) => {
    const valueProblems = labelValueProblems(value);
    if (valueProblems.length > 0)
      problems.push(fieldInvalid(`values[${i}][${key}]`, goQuote(value), valueProblems.join('; ')));
  });
  if (problems.length > 0) return aggregateMessage(problems);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, sorting one value changes nothing.
  const sorted = values.length > 1 ? [...values].sort(compareStrings) : [...values];
  return Object.freeze({ key, operator, values: Object.freeze(sorted) });
}

/** Go `Requirement.String()`: `!k`, `k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k>5`, `k<5`. */
export function requirementString(requirement: Requirement): string {
  const { key, operator, values } = requirement;
  switch (operator) {
    case '!':
      return '!' + key;
    case 'exists':
      return key;
    case 'in':
      return `${key} in (${values.join(',')})`;
    case 'notin':
      return `${key} notin (${values.join(',')})`;
    case 'gt':
      return key + '>' + values.join(',');
    case 'lt':
      return key + '<' + values.join(',');
    default:
      return key + operator + values.join(',');
  }
}

/** Sorts requirements by key, keeping the input order for equal keys (as Go's sort does up to 12 requirements). */
export function sortByKey(requirements: Requirement[]): Requirement[] {
  return requirements.sort((a, b) => compareStrings(a.key, b.key));
}
