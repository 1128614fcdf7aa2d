import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateMessage, fieldInvalid, goJsonStrings, goQuote } from './go-text.js';

test('goQuote escapes as strconv.Quote does', () => {
  const cases: [string, string][] = [
    ['', '""'],
    ['plain', '"plain"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['\u0085\u00ad\u2028', '"\\u0085\\u00ad\\u2028"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['é€😀 ', '"é€😀 "'],
    ['\u00a0', '"\\u00a0"'],
    ['\ud800x', '"\ufffdx"'],
  ];
  for (const [text, quoted] of cases) assert.equal(goQuote(text), quoted, JSON.stringify(text));
});

test('goJsonStrings writes Go json.Marshal of a []string', () => {
  assert.equal(goJsonStrings([]), 'null');
  assert.equal(goJsonStrings(['a', '']), '["a",""]');
  assert.equal(goJsonStrings(['<&>', '\u2028', '"\n']), '["\\u003c\\u0026\\u003e","\\u2028","\\"\\n"]');
});

test('aggregateMessage drops duplicates and brackets several messages', () => {
  assert.equal(aggregateMessage(['a']), 'a');
  assert.equal(aggregateMessage(['a', 'a']), 'a');
  assert.equal(aggregateMessage(['a', 'b', 'a']), '[a, b]');
  assert.equal(fieldInvalid('values[0]', '"x"', 'why'), 'values[0]: Invalid value: "x": why');
});
