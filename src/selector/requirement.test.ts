import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareStrings, newRequirement, requirementString, type Requirement } from './requirement.js';

test('newRequirement reports the wrong number of values with Go field errors', () => {
  const cases: [Parameters<typeof newRequirement>, string][] = [
    [['k', 'in', []], "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
    [['k', 'notin', []], "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"],
    [['k', '=', ['a', 'b']], 'values: Invalid value: ["a","b"]: exact-match compatibility requires one single value'],
    [['k', '!=', []], 'values: Invalid value: null: exact-match compatibility requires one single value'],
    [['k', 'exists', ['a']], 'values: Invalid value: ["a"]: values set must be empty for exists and does not exist'],
    [
      ['k', '!', ['<a>']],
      '[values: Invalid value: ["\\u003ca\\u003e"]: values set must be empty for exists and does not exist, ' +
        'values[0][k]: Invalid value: "<a>": a valid label must be an empty string or consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', " +
        "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]",
    ],
    [
      ['k', 'gt', ['1', '2']],
      'values: Invalid value: ["1","2"]: for \'Gt\', \'Lt\' operators, exactly one value is required',
    ],
    [['k', 'lt', ['x']], "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
    [
      ['', 'exists', []],
      'key: Invalid value: "": name part must be non-empty; name part must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName' or 'my.name' or '123-abc', " +
        "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ],
  ];
  for (const [args, message] of cases) assert.equal(newRequirement(...args), message, JSON.stringify(args));
});

test('newRequirement sorts values and keeps duplicates as Go does for a LabelSelector', () => {
  assert.deepEqual(newRequirement('k', 'in', ['b', 'a', 'a']), { key: 'k', operator: 'in', values: ['a', 'a', 'b'] });
  assert.deepEqual(newRequirement('k', 'exists', []), { key: 'k', operator: 'exists', values: [] });
  assert.deepEqual(newRequirement('Bad Key', 'exists', [], false), { key: 'Bad Key', operator: 'exists', values: [] });
});

test('requirementString prints each operator as Go Requirement.String()', () => {
  const cases: [Requirement, string][] = [
    [{ key: 'k', operator: '!', values: [] }, '!k'],
    [{ key: 'k', operator: 'exists', values: [] }, 'k'],
    [{ key: 'k', operator: '=', values: ['v'] }, 'k=v'],
    [{ key: 'k', operator: '==', values: ['v'] }, 'k==v'],
    [{ key: 'k', operator: '!=', values: [''] }, 'k!='],
    [{ key: 'k', operator: 'in', values: ['', 'a', 'a'] }, 'k in (,a,a)'],
    [{ key: 'k', operator: 'notin', values: [''] }, 'k notin ()'],
    [{ key: 'k', operator: 'gt', values: ['5'] }, 'k>5'],
    [{ key: 'k', operator: 'lt', values: ['5'] }, 'k<5'],
  ];
  for (const [requirement, text] of cases) assert.equal(requirementString(requirement), text);
});

test('compareStrings orders by UTF-8 bytes like Go sort.Strings', () => {
  assert.ok(compareStrings('a', 'b') < 0);
  assert.ok(compareStrings('B', 'a') < 0);
  assert.ok(compareStrings('a', 'ab') < 0);
  assert.equal(compareStrings('ab', 'ab'), 0);
  // U+FF5E sorts before U+1F600 in UTF-8, though its UTF-16 code unit is larger than the surrogate 0xD83D
  assert.ok(compareStrings('\uff5e', '😀') < 0);
  assert.ok(compareStrings('😀', '\uff5e') > 0);
  assert.deepEqual(['😀', '\uff5e', 'z'].sort(compareStrings), ['z', '\uff5e', '😀']);
});
