import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidQuantityError } from './errors.js';
import { scanQuantity } from './scan.js';

test('scanQuantity rejects trailing text after the exponent digits', () => {
  for (const input of ['1e3e3', '1k3k', '1.5e3m', '1 ', '1,5']) {
    assert.throws(() => scanQuantity(input), InvalidQuantityError, input);
  }
});

test('scanQuantity rejects a number with no digit', () => {
  for (const input of ['', '-', '.', '-.', 'Ki', 'e3']) {
    assert.throws(() => scanQuantity(input), InvalidQuantityError, input);
  }
});

test('scanQuantity splits sign, digits, fraction and unchecked suffix like Go parseQuantityString', () => {
  const cases: [string, boolean, string, string, string][] = [
    ['0.025Ti', false, '0', '025', 'Ti'],
    ['1.025Ti', false, '1', '025', 'Ti'],
    ['-1.025Ti', true, '1', '025', 'Ti'],
    ['1E-3', false, '1', '', 'E-3'],
    ['+.5', false, '', '5', ''],
    ['1.', false, '1', '', ''],
    ['007k+3', false, '007', '', 'k+3'],
    ['1Ki3', false, '1', '', 'Ki3'],
  ];
  for (const [input, negative, integer, fraction, suffix] of cases) {
    assert.deepEqual(scanQuantity(input), { negative, integer, fraction, suffix }, input);
  }
});
