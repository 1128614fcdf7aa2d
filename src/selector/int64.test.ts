import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInt64 } from './int64.js';

test('parseInt64 rejects what Go strconv.ParseInt(s, 10, 64) rejects', () => {
  const bad = [
    '',
    '+',
    '-',
    ' 1',
    '1 ',
    '1.0',
    '1e3',
    '0x10',
    '1_000',
    '--1',
    '+-1',
    'abc',
    '١',
    '9223372036854775808',
    '-9223372036854775809',
    '99999999999999999999',
  ];
  for (const text of bad) assert.equal(parseInt64(text), undefined, JSON.stringify(text));
});

test('parseInt64 accepts a sign, leading zeros and the int64 range exactly', () => {
  const good: [string, number | bigint][] = [
    ['0', 0],
    ['+7', 7],
    ['-7', -7],
    ['007', 7],
    ['999999999999999', 999999999999999],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['0000000000000000000042', 42n],
  ];
  for (const [text, value] of good) assert.equal(parseInt64(text), value, text);
});

test('parseInt64 results compare exactly across number and bigint', () => {
  assert.ok(parseInt64('9007199254740993')! > parseInt64('9007199254740992')!);
  assert.ok(parseInt64('9007199254740993')! > 5);
});
