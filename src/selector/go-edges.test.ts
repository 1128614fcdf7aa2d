// Edges of Go's selector semantics, each with the Go source its expected value comes from: strings.TrimSpace
// (unicode.IsSpace), UTF-8 byte counts (unicode/utf8, a lone surrogate counting as U+FFFD's 3 bytes), sort.Strings
// (bytewise over UTF-8), labels.Requirement String() and Matches(), validation.IsLabelKey/IsDNS1123Subdomain, and
// strconv.ParseInt.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLength, InvalidSelectorError, maxSelectorLength } from './errors.js';
import { goJsonStrings } from './go-text.js';
import { parseInt64 } from './int64.js';
import { labelSelectorToSelector, toLabelSelector } from './label-selector.js';
import { labelSetKey, parseLabelSet } from './label-set.js';
import { labelKeyProblems, utf8Length } from './label-validation.js';
import { ObjectIndex } from './object-index.js';
import { parseSelector } from './parse-selector.js';
import { compareStrings, newRequirement, type Requirement, requirementString } from './requirement.js';
import { createSelector } from './selector.js';

test('parseLabelSet trims every Go space (unicode.IsSpace) and nothing else', () => {
  const spaces = '\t\n\u000b\f\r \u0085\u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000';
  for (const space of spaces) {
    assert.deepEqual(parseLabelSet(`${space}a${space}=${space}b${space}`), { a: 'b' }, `U+${space.codePointAt(0)}`);
  }
  for (const other of ['\u0008', '\u000e', '\u001f', '\u1fff', '\u200b', '\u3001']) {
    assert.throws(() => parseLabelSet(`${other}a=b`), InvalidSelectorError, `U+${other.codePointAt(0)}`);
  }
});

test('parseLabelSet joins a value`s problems with "; "', () => {
  const value = `-${'v'.repeat(63)}`;
  assert.throws(
    () => parseLabelSet(`k=${value}`),
    (error: unknown) =>
      error instanceof InvalidSelectorError &&
      error.message.startsWith(`[k]: Invalid value: "${value}": must be no more than 63 bytes; a valid label must `),
  );
});

test('labelSetKey escapes a lone `,`, `=` or `\\`', () => {
  assert.equal(labelSetKey({ a: 'b,c' }), 'a=b\\,c');
  assert.equal(labelSetKey({ a: 'b=c' }), 'a=b\\=c');
  assert.equal(labelSetKey({ a: 'x\\' }), 'a=x\\\\');
});

test('utf8Length counts UTF-8 bytes, a lone surrogate as the 3 bytes of U+FFFD', () => {
  const cases: [string, number][] = [
    ['\u007f', 1],
    ['\u0080', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['\ud7ff', 3],
    ['\u{10000}', 4],
    ['\u{10ffff}', 4],
    ['\udbff\udc00', 4],
    ['\ud800', 3],
    ['\ud800\u00e9', 5],
    ['\udc00', 3],
    ['\u0800\udc00', 6],
    ['\ud7ff\udc00', 6],
    ['\udc00\udc00', 6],
    ['\ue000\udc00', 6],
    ['a\ud800', 4],
  ];
  for (const [text, bytes] of cases) assert.equal(utf8Length(text), bytes, JSON.stringify(text));
});

test('label keys: alphanumeric ends include 0, 9, Z and z; a DNS prefix is lower case', () => {
  for (const key of ['0', '9', 'Z', 'z', 'Z-z', '0/k', '9.z/k', 'z-0/k'])
    assert.deepEqual(labelKeyProblems(key), [], key);
  for (const key of ['Example.com/k', 'a.B/k', '/k', 'a..b/k']) assert.equal(labelKeyProblems(key).length, 1, key);
});

test('compareStrings is UTF-8 byte order at the surrogate boundaries', () => {
  // U+D000 < U+E000 < U+10000 (surrogates D800..DFFF) in UTF-8; a lone surrogate arrives as U+FFFD, after U+E000.
  assert.ok(compareStrings('\ud000', '\ue000') < 0);
  assert.ok(compareStrings('\ue000', '\ud000') > 0);
  assert.ok(compareStrings('\ud800\udc00', '\ue000') > 0);
  assert.ok(compareStrings('\ue000', '\ud800\udc00') < 0);
  assert.ok(compareStrings('\udfff', '\ue000') > 0);
  assert.ok(compareStrings('\ue000', '\udfff') < 0);
  assert.ok(compareStrings('\ud7ff', '\ud800\udc00') < 0);
});

test('newRequirement checks `==` like `=`: exactly one value', () => {
  assert.equal(
    newRequirement('k', '==', ['a', 'b']),
    'values: Invalid value: ["a","b"]: exact-match compatibility requires one single value',
  );
});

test('requirementString writes every value, comma-separated, after the operator', () => {
  const hand = (operator: Requirement['operator'], values: string[]): Requirement => ({ key: 'k', operator, values });
  assert.equal(requirementString(hand('gt', ['1', '2'])), 'k>1,2');
  assert.equal(requirementString(hand('lt', ['1', '2'])), 'k<1,2');
  assert.equal(requirementString(hand('=', ['a', 'b'])), 'k=a,b');
});

test('a notin of several values fails on any of them; a gt of two values matches nothing', () => {
  const notin = parseSelector('k notin (a,b)');
  assert.equal(notin.matches({ k: 'b' }), false);
  assert.equal(notin.matches({ k: 'a' }), false);
  assert.equal(notin.matches({ k: 'c' }), true);
  const gt = createSelector([{ key: 'k', operator: 'gt', values: ['1', '2'] }]);
  assert.equal(gt.matches({ k: '5' }), false);
});

test('parseInt64 gives a number up to 15 digits, signs not counted', () => {
  assert.equal(parseInt64('-123456789012345'), -123456789012345);
  assert.equal(parseInt64('+123456789012345'), 123456789012345);
  assert.equal(parseInt64('1234567890123456'), 1234567890123456n);
});

test('checkLength allows exactly the limit', () => {
  checkLength('selector', 'a'.repeat(maxSelectorLength));
  assert.throws(() => checkLength('selector', 'a'.repeat(maxSelectorLength + 1)), InvalidSelectorError);
});

test('goJsonStrings writes a lone surrogate as U+FFFD, as Go sees it after UTF-8 decoding', () => {
  assert.equal(goJsonStrings(['a\ud800b']), '["a\ufffdb"]');
});

test('toLabelSelector builds matchLabels of plain data properties', () => {
  const { matchLabels } = toLabelSelector(parseSelector('app=web'))!;
  assert.deepEqual(Object.getOwnPropertyDescriptor(matchLabels, 'app'), {
    value: 'web',
    writable: true,
    enumerable: true,
    configurable: true,
  });
});

test('labelSelectorToSelector reports the first invalid matchLabels entry in key order', () => {
  assert.throws(
    () => labelSelectorToSelector({ matchLabels: { b: 'bad b', a: 'bad a' } }),
    (error: unknown) => error instanceof InvalidSelectorError && error.message.startsWith('values[0][a]: '),
  );
});

test('ObjectIndex: the generation only grows, so an old value never comes back; `==` narrows like `=`', () => {
  const index = new ObjectIndex();
  const seen = [index.generation];
  const step = () => {
    assert.ok(index.generation > seen.at(-1)!, `after ${seen.join(',')}`);
    seen.push(index.generation);
  };
  const web = Object.freeze({ app: 'web' });
  index.retain('a', web);
  step();
  index.update('a', Object.freeze({ app: 'db' }));
  step();
  index.release('a');
  step();
  index.retain('b', web);
  step();
  const sets = index.candidates(parseSelector('app==web'), 100);
  assert.deepEqual(
    sets?.flatMap((set) => [...set]),
    ['b'],
  );
});
