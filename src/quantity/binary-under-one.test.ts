// apimachinery quantity.go ParseQuantity: `if format == BinarySI && amount.Cmp(decOne) < 0 && amount.Cmp(decZero) > 0
// { format = DecimalSI }`: only a binary-suffixed value strictly between 0 and 1 turns DecimalSI; exactly 1 stays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity } from './parse.js';

test('parseQuantity: a BinarySI value of exactly 1 stays BinarySI; one under 1 becomes DecimalSI', () => {
  // 1/1024 Ki = 1; 0.5/1024 Ki = 0.5
  assert.equal(parseQuantity('0.0009765625Ki').format, 'BinarySI');
  assert.equal(parseQuantity('0.0009765625Ki').toString(), '1');
  assert.equal(parseQuantity('0.00048828125Ki').format, 'DecimalSI');
});
