/**
 * Label key and value validation with the exact problem texts of apimachinery
 * `pkg/api/validate/content/kube.go` (`IsLabelKey`, `IsLabelValue`) and `dns.go` (`IsDNS1123Subdomain`).
 * Hand-written character checks instead of Go's regexes: these run for every parsed key and value.
 * @module
 */

const labelKeyFormat = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelKeyMessage =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelKeyRegexError = `${labelKeyMessage} (e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '${labelKeyFormat}')`;
const labelValueRegexError =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and " +
  `end with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is '(${labelKeyFormat})?')`;
const subdomainFormat = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const subdomainRegexError =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " +
  `end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${subdomainFormat}')`;
const tooManySlashes = `a valid label key ${labelKeyRegexError} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;

export const labelNameMaxLength = 63;
export const labelValueMaxLength = 63;
export const subdomainMaxLength = 253;

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, the label name pattern (a value adds "or empty"). */
function isLabelName(text: string): boolean {
  const last = text.length - 1;
  // NB: '' fails too: charCodeAt(0) is NaN.
  if (!isAlphanumeric(text.charCodeAt(0)) || !isAlphanumeric(text.charCodeAt(last))) return false;
  // Stryker disable next-line EqualityOperator: equivalent, the last character is alphanumeric, checked above.
  for (let i = 1; i < last; i++) {
    const code = text.charCodeAt(i);
    if (!isAlphanumeric(code) && code !== 45 /* - */ && code !== 95 /* _ */ && code !== 46 /* . */) return false;
  }
  return true;
}

function isLowerAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
}

/** The DNS-1123 subdomain pattern: one or more DNS labels joined by `.`. */
function isSubdomain(text: string): boolean {
  let labelStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 46 /* . */) {
      if (!isDnsLabel(text, labelStart, i)) return false;
      labelStart = i + 1;
    }
  }
  return true;
}

/** `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over `text[start, end)`. */
function isDnsLabel(text: string, start: number, end: number): boolean {
  // NB: an empty label fails too: at `start` it holds '.' or nothing (NaN).
  if (!isLowerAlphanumeric(text.charCodeAt(start)) || !isLowerAlphanumeric(text.charCodeAt(end - 1))) return false;
  // Stryker disable next-line EqualityOperator: equivalent, the last character is alphanumeric, checked above.
  for (let i = start + 1; i < end - 1; i++) {
    const code = text.charCodeAt(i);
    if (!isLowerAlphanumeric(code) && code !== 45 /* - */) return false;
  }
  return true;
}

/** Bytes in the UTF-8 encoding of `text`, as Go's `len()` counts them. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    // Stryker disable BlockStatement: equivalent, emptying the pair block lets its low surrogate add the same 2 bytes.
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else bytes += 2;
  }
  // Stryker restore BlockStatement
  return bytes;
}

function tooLong(text: string, max: number): boolean {
  // NB: a UTF-8 byte count is at least the length and at most three times it; the first two checks only save time.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above.
  return text.length > max || (text.length * 3 > max && utf8Length(text) > max);
}

/** Go `content.IsLabelKey`: the problems with `key`, empty when it is valid. */
export function labelKeyProblems(key: string): string[] {
  const slash = key.indexOf('/');
  if (slash < 0) return nameProblems(key);
  // Stryker disable next-line EqualityOperator: equivalent, a search from slash + 1 never finds index 0.
  if (key.indexOf('/', slash + 1) >= 0) return [tooManySlashes];
  const prefix = key.slice(0, slash);
  const problems: string[] = [];
  if (prefix.length === 0) {
    problems.push('prefix part must be non-empty');
  } else {
    if (tooLong(prefix, subdomainMaxLength))
      problems.push(`prefix part must be no more than ${subdomainMaxLength} bytes`);
    if (!isSubdomain(prefix)) problems.push(`prefix part ${subdomainRegexError}`);
  }
  problems.push(...nameProblems(key.slice(slash + 1)));
  return problems;
}

function nameProblems(name: string): string[] {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a shortcut: the checks below find
  // no problem either.
  if (isLabelName(name) && name.length <= labelNameMaxLength) return [];
  const problems: string[] = [];
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (tooLong(name, labelNameMaxLength))
    problems.push(`name part must be no more than ${labelNameMaxLength} bytes`);
  if (!isLabelName(name)) problems.push(`name part ${labelKeyRegexError}`);
  return problems;
}

/** Go `content.IsLabelValue`: the problems with `value`, empty when it is valid. */
export function labelValueProblems(value: string): string[] {
  const valid = value.length === 0 || isLabelName(value);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a shortcut: the checks below find
  // no problem either.
  if (valid && value.length <= labelValueMaxLength) return [];
  const problems: string[] = [];
  if (tooLong(value, labelValueMaxLength)) problems.push(`must be no more than ${labelValueMaxLength} bytes`);
  if (!valid) problems.push(labelValueRegexError);
  return problems;
}
