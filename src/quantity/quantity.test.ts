import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatQuantity, type QuantityFormat } from './format.js';
import { numberToNano } from './number-to-nano.js';
import { parseQuantity } from './parse.js';
import { Quantity } from './quantity.js';

test('Quantity.fromMilli rejects a number that is not a safe integer', () => {
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    assert.throws(() => Quantity.fromMilli(bad), {
      name: 'RangeError',
      message: `milli-units must be a safe integer, got ${bad}`,
    });
  }
});

test('Quantity.fromNumber rejects NaN and infinities as a server-side RangeError', () => {
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    assert.throws(() => Quantity.fromNumber(bad), RangeError, String(bad));
  }
});

test('Quantity.fromMilli matches Go NewMilliQuantity', () => {
  const cases: [bigint | number, QuantityFormat, string][] = [
    // spec §5.3 paragraph
    [1500, 'DecimalSI', '1500m'],
    [100, 'DecimalSI', '100m'],
    [1000, 'DecimalSI', '1'],
    [1000000, 'DecimalSI', '1k'],
    [-250, 'DecimalSI', '-250m'],
    [0, 'DecimalSI', '0'],
    // Go TestMilliNewSet
    [1, 'DecimalSI', '1m'],
    [1234000, 'DecimalSI', '1234'],
    [1024, 'BinarySI', '1024m'],
    [1024 * 1024, 'BinarySI', '1048576m'],
    [1000000n, 'Bogus' as QuantityFormat, '1e3'],
    [9007199254740993000n, 'DecimalSI', '9007199254740993'],
  ];
  for (const [milli, format, expected] of cases) {
    const quantity = Quantity.fromMilli(milli, format);
    assert.equal(quantity.toString(), expected, `${milli} ${format}`);
    assert.equal(quantity.milliValue(), BigInt(milli), `${milli} ${format}`);
  }
  assert.equal(Quantity.fromMilli(5).format, 'DecimalSI');
});

test('new Quantity matches Go NewQuantity for whole units (TestNewSet)', () => {
  const unit = 1_000_000_000n;
  const cases: [bigint, QuantityFormat, string][] = [
    [1n, 'DecimalSI', '1'],
    [1000n, 'DecimalSI', '1k'],
    [1234000n, 'DecimalSI', '1234k'],
    [1024n, 'BinarySI', '1Ki'],
    [1000000n, 'Bogus' as QuantityFormat, '1e6'],
    [1024n * 1024n, 'BinarySI', '1Mi'],
  ];
  for (const [units, format, expected] of cases) assert.equal(new Quantity(units * unit, format).toString(), expected);
  assert.equal(new Quantity(5n).format, 'DecimalSI');
});

test('Quantity.fromNumber rounds a float to the nearest nano from its shortest decimal form', () => {
  const cases: [number, string, bigint][] = [
    [0.1, '100m', 100_000_000n],
    [1 / 3, '333333333n', 333_333_333n],
    [2 / 3, '666666667n', 666_666_667n],
    [-1 / 3, '-333333333n', -333_333_333n],
    [0.3, '300m', 300_000_000n],
    [1.005, '1005m', 1_005_000_000n],
    [42, '42', 42_000_000_000n],
    [1500, '1500', 1_500_000_000_000n],
    [-0, '0', 0n],
    [1e-7, '100n', 100n],
    [5e-10, '1n', 1n],
    [4e-10, '0', 0n],
    [-5e-10, '-1n', -1n],
    [123456.789, '123456789m', 123_456_789_000_000n],
    [1e21, '1000E', 10n ** 30n],
  ];
  for (const [x, text, nano] of cases) {
    const quantity = Quantity.fromNumber(x);
    assert.equal(quantity.nano, nano, String(x));
    assert.equal(quantity.toString(), text, String(x));
    assert.equal(quantity.format, 'DecimalSI');
  }
});

test('milliValue rounds up away from zero like Go MilliValue', () => {
  const cases: [string, bigint][] = [
    ['1500u', 2n],
    ['0.3333', 334n],
    ['5n', 1n],
    ['1m', 1n],
    ['1.0001m', 2n],
    ['0', 0n],
    ['-1500u', -2n],
    ['-0.3333', -334n],
    ['-5n', -1n],
    ['-1m', -1n],
  ];
  for (const [input, milli] of cases) assert.equal(parseQuantity(input).milliValue(), milli, input);
});

test('value rounds up away from zero to whole units like Go Value', () => {
  const cases: [string, bigint][] = [
    ['1', 1n],
    ['1500m', 2n],
    ['1n', 1n],
    ['2k', 2000n],
    ['1Ki', 1024n],
    ['0', 0n],
    ['-1500m', -2n],
    ['-0.5', -1n],
    ['-1n', -1n],
  ];
  for (const [input, units] of cases) assert.equal(parseQuantity(input).value(), units, input);
});

test('cmp orders by value and ignores the format', () => {
  const cases: [string, string, -1 | 0 | 1][] = [
    ['1', '1000m', 0],
    ['1Ki', '1024', 0],
    ['1e3', '1k', 0],
    ['1n', '0', 1],
    ['0', '1n', -1],
    ['-1', '1', -1],
    ['1Gi', '1G', 1],
    ['-1Gi', '-1G', -1],
    ['999m', '1', -1],
    ['0', '-0', 0],
  ];
  for (const [a, b, expected] of cases) assert.equal(parseQuantity(a).cmp(parseQuantity(b)), expected, `${a} vs ${b}`);
});

test('add sums exactly and keeps the left format', () => {
  const cases: [string, string, string, QuantityFormat][] = [
    ['1', '500m', '1500m', 'DecimalSI'],
    ['1Ki', '1Ki', '2Ki', 'BinarySI'],
    ['1Ki', '1', '1025', 'BinarySI'],
    ['1e3', '1k', '2e3', 'DecimalExponent'],
    ['1n', '-1n', '0', 'DecimalSI'],
    ['0', '1Ki', '1024', 'DecimalSI'],
    ['0.1', '0.2', '300m', 'DecimalSI'],
    ['9223372036854775807', '1', '9223372036854775808', 'DecimalSI'],
  ];
  for (const [a, b, sum, format] of cases) {
    const result = parseQuantity(a).add(parseQuantity(b));
    assert.equal(result.toString(), sum, `${a} + ${b}`);
    assert.equal(result.format, format, `${a} + ${b}`);
  }
});

test('add leaves both operands unchanged', () => {
  const left = parseQuantity('1');
  const right = parseQuantity('2');
  left.add(right);
  assert.equal(left.toString(), '1');
  assert.equal(right.toString(), '2');
});

test('isZero is true only for zero', () => {
  assert.equal(parseQuantity('0').isZero(), true);
  assert.equal(parseQuantity('0Ki').isZero(), true);
  assert.equal(parseQuantity('-0.0e7').isZero(), true);
  assert.equal(parseQuantity('1n').isZero(), false);
  assert.equal(parseQuantity('-1n').isZero(), false);
});

test('toString caches the canonical text and toJSON writes it', () => {
  const quantity = parseQuantity('1.5Gi');
  const first = quantity.toString();
  assert.equal(first, '1536Mi');
  assert.equal(quantity.toString(), first);
  assert.equal(`${quantity}`, '1536Mi');
  assert.equal(JSON.stringify({ value: quantity }), '{"value":"1536Mi"}');
});

test('Quantity.fromNumber writes the text the bigint path gives, for every finite double', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -1e9, max: 1e9 }).map((milli) => milli / 1000),
        fc.integer({ min: -1e15, max: 1e15 }),
      ),
      (x) => {
        const quantity = Quantity.fromNumber(x);
        assert.equal(quantity.toString(), formatQuantity(numberToNano(x), 'DecimalSI'), String(x));
        assert.equal(quantity.nano, numberToNano(x), String(x));
      },
    ),
    { numRuns: 20_000 },
  );
});
