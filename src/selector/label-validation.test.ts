import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelKeyProblems, labelValueProblems, utf8Length } from './label-validation.js';

const nameRule =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const subdomainRule =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " +
  "end with an alphanumeric character (e.g. 'example.com', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
  "with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('labelKeyProblems lists every problem Go content.IsLabelKey lists', () => {
  const label63 = 'a'.repeat(63);
  const cases: [string, string[]][] = [
    ['', ['name part must be non-empty', `name part ${nameRule}`]],
    ['a/', ['name part must be non-empty', `name part ${nameRule}`]],
    ['/', ['prefix part must be non-empty', 'name part must be non-empty', `name part ${nameRule}`]],
    ['_a', [`name part ${nameRule}`]],
    ['a_', [`name part ${nameRule}`]],
    ['a b', [`name part ${nameRule}`]],
    ['a\n', [`name part ${nameRule}`]],
    ['é', [`name part ${nameRule}`]],
    ['a'.repeat(64), ['name part must be no more than 63 bytes']],
    ['-'.repeat(64), ['name part must be no more than 63 bytes', `name part ${nameRule}`]],
    ['é'.repeat(32), ['name part must be no more than 63 bytes', `name part ${nameRule}`]],
    [
      'a/b/c',
      [`a valid label key ${nameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ],
    ['A.com/a', [`prefix part ${subdomainRule}`]],
    ['a..b/c', [`prefix part ${subdomainRule}`]],
    ['.a/c', [`prefix part ${subdomainRule}`]],
    ['a-.b/c', [`prefix part ${subdomainRule}`]],
    ['a.-b/c', [`prefix part ${subdomainRule}`]],
    ['a_b/c', [`prefix part ${subdomainRule}`]],
    ['-a/c', [`prefix part ${subdomainRule}`]],
    ['a-/c', [`prefix part ${subdomainRule}`]],
    [`${label63}.${label63}.${label63}.${label63}x/c`, ['prefix part must be no more than 253 bytes']],
    ['A.com/_', [`prefix part ${subdomainRule}`, `name part ${nameRule}`]],
  ];
  for (const [key, problems] of cases) assert.deepEqual(labelKeyProblems(key), problems, JSON.stringify(key));
});

test('labelKeyProblems accepts Go-valid keys', () => {
  const label63 = 'a'.repeat(63);
  const valid = [
    'a',
    'A',
    '0',
    'a.b-c_d',
    'MyName',
    'my.name',
    '123-abc',
    'a'.repeat(63),
    'example.com/MyName',
    'a-b.c--d/e',
    '1/2',
    `${label63}.${label63}.${label63}.${label63.slice(0, 61)}/c`,
    'kubernetes.io/metadata.name',
    'in',
    'notin',
    'constructor',
  ];
  for (const key of valid) assert.deepEqual(labelKeyProblems(key), [], key);
});

test('labelValueProblems lists every problem Go content.IsLabelValue lists', () => {
  const cases: [string, string[]][] = [
    ['-a', [valueRule]],
    ['a.', [valueRule]],
    ['a/b', [valueRule]],
    ['a'.repeat(64), ['must be no more than 63 bytes']],
    ['_'.repeat(64), ['must be no more than 63 bytes', valueRule]],
    ['ü'.repeat(40), ['must be no more than 63 bytes', valueRule]],
    ['ü', [valueRule]],
  ];
  for (const [value, problems] of cases) assert.deepEqual(labelValueProblems(value), problems, JSON.stringify(value));
  for (const value of ['', 'a', 'a'.repeat(63), 'MyValue', 'my_value', '12345', 'a-b_c.d']) {
    assert.deepEqual(labelValueProblems(value), [], value);
  }
});

test('utf8Length counts bytes as Go len() does', () => {
  assert.equal(utf8Length(''), 0);
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('€'), 3);
  assert.equal(utf8Length('😀'), 4);
  assert.equal(utf8Length('\ud800'), 3);
});
