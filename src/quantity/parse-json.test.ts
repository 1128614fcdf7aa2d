import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidQuantityError } from './errors.js';
import { parseQuantityJson } from './parse-json.js';

const expected = 'body must be a JSON quantity string such as "300m" or a JSON number';

const rejectedBodies: [string, string, string][] = [
  ['an object', '{}', 'invalid quantity body: body is an object'],
  ['an array', '[]', 'invalid quantity body: body is an array'],
  ['an array of a quantity', '["1"]', 'invalid quantity body: body is an array'],
  ['null', 'null', 'invalid quantity body: body is null'],
  ['true', 'true', 'invalid quantity body: body is a boolean'],
  ['false', ' false\n', 'invalid quantity body: body is a boolean'],
  ['an empty body', '', 'invalid quantity body: body is empty'],
  ['a blank body', ' \n\t ', 'invalid quantity body: body is empty'],
  ['an unterminated string', '"12', 'invalid quantity body: body is not a valid JSON string'],
  ['two strings', '"1" "2"', 'invalid quantity body: body is not a valid JSON string'],
  ['a single-quoted string', "'1'", 'invalid quantity body: body is not valid JSON'],
  ['a bare quantity', '300m', 'invalid quantity body: body is not a valid JSON number'],
  ['a number with a leading zero', '01', 'invalid quantity body: body is not a valid JSON number'],
  ['a number with a plus sign', '+1', 'invalid quantity body: body is not valid JSON'],
  ['a number ending in a dot', '1.', 'invalid quantity body: body is not a valid JSON number'],
  ['two numbers', '1 2', 'invalid quantity body: body is not a valid JSON number'],
  ['NaN', 'NaN', 'invalid quantity body: body is not valid JSON'],
  ['a huge body', `"${' '.repeat(2000)}1"`, 'invalid quantity body: body is longer than 1024 characters'],
];

for (const [what, body, message] of rejectedBodies) {
  test(`parseQuantityJson rejects ${what}, naming the problem`, () => {
    assert.throws(
      () => parseQuantityJson(body),
      (error: unknown) => {
        assert.ok(error instanceof InvalidQuantityError);
        assert.equal(error.code, 400);
        assert.equal(error.message, `${message}; ${expected}`);
        return true;
      },
    );
  });
}

const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const rejectedQuantities: [string, string][] = [
  ['"abc"', `invalid quantity "abc": ${formatWrong}`],
  ['""', `invalid quantity "": ${formatWrong}`],
  ['"   "', `invalid quantity "": ${formatWrong}`],
  ['"1 2"', `invalid quantity "1 2": ${formatWrong}`],
  ['"1K"', `invalid quantity "1K": unable to parse quantity's suffix`],
  ['1e999', 'invalid quantity "1e999": magnitude exceeds the maximum of 9223372036854775807 (2^63-1)'],
];

for (const [body, message] of rejectedQuantities) {
  test(`parseQuantityJson rejects the JSON value ${body} with the quantity's own error`, () => {
    assert.throws(() => parseQuantityJson(body), { name: 'InvalidQuantityError', message });
  });
}

const acceptedBodies: [string, string, string][] = [
  ['"300m"', '300m', 'DecimalSI'],
  [' "1.5Gi" ', '1536Mi', 'BinarySI'],
  ['"  5 "', '5', 'DecimalSI'],
  ['"\\t5\\n"', '5', 'DecimalSI'],
  ['"\u00a05\u3000"', '5', 'DecimalSI'],
  // NB: Go unicode.IsSpace includes the vertical tab, and TrimSpace removes a whole run of spaces on each side.
  ['"\\u000b5\\u000b"', '5', 'DecimalSI'],
  ['"  5  "', '5', 'DecimalSI'],
  // The longest body read: 1024 characters.
  [`5${' '.repeat(1023)}`, '5', 'DecimalSI'],
  ['"1e3"', '1e3', 'DecimalExponent'],
  ['42', '42', 'DecimalSI'],
  ['-1.5', '-1500m', 'DecimalSI'],
  ['1e3', '1e3', 'DecimalExponent'],
  ['1E+3', '1e3', 'DecimalExponent'],
  ['-0', '0', 'DecimalSI'],
  ['\n 10 \r\n', '10', 'DecimalSI'],
  // NB: as a float 0.1 is 0.1000000000000000055…, which rounds up to 100000001n; the exact text does not.
  ['0.1', '100m', 'DecimalSI'],
  ['9223372036854775807', '9223372036854775807', 'DecimalSI'],
  // Go TestJSONWhitespace
  ['" 1"', '1', 'DecimalSI'],
  ['"1 "', '1', 'DecimalSI'],
  ['1', '1', 'DecimalSI'],
  [' 1', '1', 'DecimalSI'],
  ['1 ', '1', 'DecimalSI'],
  ['10', '10', 'DecimalSI'],
  ['-1', '-1', 'DecimalSI'],
  [' -1', '-1', 'DecimalSI'],
];

for (const [body, canonical, format] of acceptedBodies) {
  test(`parseQuantityJson reads ${JSON.stringify(body)} as ${canonical}`, () => {
    const quantity = parseQuantityJson(body);
    assert.equal(quantity.toString(), canonical);
    assert.equal(quantity.format, format);
  });
}

test('parseQuantityJson reads a big JSON number from its text, not through a float', () => {
  assert.equal(parseQuantityJson('9007199254740993').nano, 9007199254740993n * 10n ** 9n);
  assert.equal(parseQuantityJson('0.123456789').nano, 123456789n);
});
