import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidQuantityError } from './errors.js';
import type { QuantityFormat } from './format.js';
import { parseQuantity } from './parse.js';

const formatWrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const suffixWrong = "unable to parse quantity's suffix";
const tooLarge = 'magnitude exceeds the maximum of 9223372036854775807 (2^63-1)';

function rejects(input: string, problem: string): void {
  assert.throws(
    () => parseQuantity(input),
    (error: unknown) => {
      assert.ok(error instanceof InvalidQuantityError);
      assert.equal(error.message, `invalid quantity ${JSON.stringify(input)}: ${problem}`);
      return true;
    },
  );
}

// --- Rejections first: spec §5.1, Go `TestQuantityParse` invalid list, and our stricter limits.

const formatErrors = [
  '',
  '1.1.M',
  '1+1.0M',
  'aoeu',
  '1.5e3m',
  ' 1',
  '1 ',
  '\t1',
  '1\n',
  '0.1am',
  'Non-Numeric',
  '1e3e3',
  '1e+-3',
  '-',
  '+',
  'm',
  'Ki',
  'e3',
];
for (const input of formatErrors) {
  test(`parseQuantity rejects ${JSON.stringify(input)} with Go's format error`, () => rejects(input, formatWrong));
}

const suffixErrors = [
  '0.1mi',
  '1i',
  '.5i',
  '1K',
  '1e',
  '1E+',
  '-3.01i',
  '-3.01e-',
  '1ee3',
  '1kE3',
  '1k+3',
  '1Ki3',
  '1m-',
  '1-',
  '1e99999999999999999999',
];
for (const input of suffixErrors) {
  test(`parseQuantity rejects ${JSON.stringify(input)} with Go's suffix error`, () => rejects(input, suffixWrong));
}

for (const input of ['.', '-.', '+.', '.e3', '.Ki']) {
  test(`parseQuantity rejects ${JSON.stringify(input)}: a number needs a digit (Go reads it as 0)`, () => {
    rejects(input, 'the number has no digits');
  });
}

const overLimit = [
  '12E',
  '1000E',
  '9223372036854775808',
  '-9223372036854775808',
  '9223372036854775807.000000001',
  '1e19',
  '-1e19',
  '10000P',
  '1e999999999',
  '1e9223372036854775807',
];
for (const input of overLimit) {
  test(`parseQuantity rejects ${JSON.stringify(input)}: a decimal above 2^63-1 units`, () => rejects(input, tooLarge));
}

test('parseQuantity rejects a huge exponent without building a huge bigint', () => {
  // NB: not a speed check: building 10^999999999 would take hours, so any finite bound tells the two apart;
  // this one is generous enough for a loaded CI machine.
  const started = performance.now();
  rejects('1e999999999', tooLarge);
  assert.ok(performance.now() - started < 5_000, 'built the huge number');
});

test('parseQuantity rejects text longer than 128 characters and shortens it in the message', () => {
  const input = '1'.repeat(129);
  assert.throws(() => parseQuantity(input), {
    message: `invalid quantity "${'1'.repeat(40)}…": longer than 128 characters`,
  });
});

test('parseQuantity rejects a non-string from plain JavaScript callers', () => {
  assert.throws(() => parseQuantity(42 as unknown as string), {
    name: 'InvalidQuantityError',
    message: 'invalid quantity "42": a quantity must be a string',
  });
});

test('parseQuantity quotes text of up to 40 characters in full in the message', () => {
  const input = 'x'.repeat(40);
  rejects(input, formatWrong);
});

// NB: Go `suffix.go` reads the exponent with `strconv.ParseInt(s, 10, 64)`: out of int64 range is ErrSuffix,
// the int64 limits themselves are not.
test('parseQuantity rejects an exponent just outside int64 with the suffix error', () => {
  rejects('1e-9223372036854775809', suffixWrong);
  rejects('1e9223372036854775808', suffixWrong);
});

test('parseQuantity takes an exponent of exactly int64 min as an exponent, not a suffix error', () => {
  assert.doesNotThrow(() => parseQuantity('1e-9223372036854775808'));
});

test('InvalidQuantityError carries a 400 BadRequest and its name', () => {
  assert.throws(
    () => parseQuantity('1.1.M'),
    (error: unknown) => {
      assert.ok(error instanceof InvalidQuantityError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'InvalidQuantityError');
      assert.equal(error.code, 400);
      assert.equal(error.reason, 'BadRequest');
      return true;
    },
  );
});

// --- Spec §5.3 table: input → canonical (fresh value), format, MilliValue where the table gives one.

type Row = readonly [input: string, canonical: string, format: QuantityFormat, milli?: bigint];
const D = 'DecimalSI';
const X = 'DecimalExponent';
const B = 'BinarySI';

const specTable: readonly Row[] = [
  ['0', '0', D, 0n],
  ['0n', '0', D, 0n],
  ['0m', '0', D, 0n],
  ['0Ki', '0', B, 0n],
  ['1', '1', D, 1000n],
  ['1.5', '1500m', D, 1500n],
  ['1500m', '1500m', D, 1500n],
  ['300m', '300m', D, 300n],
  ['0.1', '100m', D, 100n],
  ['0.25', '250m', D, 250n],
  ['0.5', '500m', D, 500n],
  ['.0001k', '100m', D, 100n],
  ['0.0005k', '500m', D, 500n],
  ['1000m', '1', D, 1000n],
  ['1001m', '1001m', D, 1001n],
  ['2000m', '2', D, 2000n],
  ['1000000m', '1k', D, 1000000n],
  ['1.08', '1080m', D, 1080n],
  ['9.01', '9010m', D, 9010n],
  ['99.9', '99900m', D, 99900n],
  ['12.5', '12500m', D, 12500n],
  ['125', '125', D, 125000n],
  ['1250', '1250', D, 1250000n],
  ['12500', '12500', D, 12500000n],
  ['2000', '2k', D, 2000000n],
  ['5000', '5k', D, 5000000n],
  ['20000', '20k', D, 20000000n],
  ['8.1k', '8100', D, 8100000n],
  ['100.035k', '100035', D, 100035000n],
  ['10.035M', '10035k', D],
  ['7.123456M', '7123456', D],
  ['5.444T', '5444G', D],
  ['40.1T', '40100G', D],
  ['2.5P', '2500T', D],
  ['1.01E', '1010P', D],
  ['1000M', '1G', D],
  ['0.001', '1m', D, 1n],
  ['.001', '1m', D, 1n],
  ['0.0001', '100u', D, 1n],
  ['0.0005', '500u', D, 1n],
  ['0.1m', '100u', D, 1n],
  ['1.5m', '1500u', D, 2n],
  ['0.3333', '333300u', D, 334n],
  ['3.14159', '3141590u', D, 3142n],
  ['0.123456789', '123456789n', D, 124n],
  ['0.1234567891', '123456790n', D, 124n],
  ['0.000000001', '1n', D, 1n],
  ['0.0000000005', '1n', D, 1n],
  ['0.9n', '1n', D, 1n],
  ['3.001n', '4n', D, 1n],
  ['0.00000012345', '124n', D, 1n],
  ['-1', '-1', D, -1000n],
  ['-1.5', '-1500m', D, -1500n],
  ['-0.1', '-100m', D, -100n],
  ['+5', '5', D, 5000n],
  ['0010', '10', D, 10000n],
  ['1.', '1', D],
  ['1.G', '1G', D],
  ['1e3', '1e3', X, 1000000n],
  ['1E3', '1e3', X, 1000000n],
  ['1e2', '100', X, 100000n],
  ['1e13', '10e12', X],
  ['1e14', '100e12', X],
  ['1.2e3', '1200', X, 1200000n],
  ['1.3E+6', '1300e3', X],
  ['1.40e9', '1400e6', X],
  ['1.53E12', '1530e9', X],
  ['0.5e0', '500e-3', X, 500n],
  ['7e-1', '700e-3', X, 700n],
  ['0.5e-1', '50e-3', X, 50n],
  ['0.5e-2', '5e-3', X, 5n],
  ['1.5e-3', '1500e-6', X, 2n],
  ['1.1E-9', '2e-9', X, 1n],
  ['0.5e-9', '1e-9', X, 1n],
  ['1e-12', '1e-9', X, 1n],
  ['1Ki', '1Ki', B],
  ['8Ki', '8Ki', B],
  ['7Mi', '7Mi', B],
  ['6Gi', '6Gi', B],
  ['1024Mi', '1Gi', B],
  ['1.5Gi', '1536Mi', B],
  ['1536Mi', '1536Mi', B],
  ['0.5Mi', '512Ki', B],
  ['.001Ki', '1024m', B, 1024n],
  ['.000001Ki', '1024u', D],
  ['.000000001Ki', '1024n', D],
  ['.000000000001Ki', '2n', D],
  ['100.035Ki', '102435840m', B],
  ['0.05Gi', '53687091200m', B],
  // NB: Go's int64 MilliValue overflows here (the table says "overflow"); a bigint stays exact.
  ['9Ei', '9223372036854775807', B, 9223372036854775807000n],
];

for (const [input, canonical, format, milli] of specTable) {
  test(`parseQuantity reads ${JSON.stringify(input)} as ${canonical} (${format})`, () => {
    const quantity = parseQuantity(input);
    assert.equal(quantity.toString(), canonical);
    assert.equal(quantity.format, format);
    if (milli !== undefined) assert.equal(quantity.milliValue(), milli);
  });
}

// --- Go `TestQuantityParse` values, as mantissa × 10^scale, each also with a leading '-' and '+' as Go checks.

const goParseTable: readonly (readonly [string, bigint, number, QuantityFormat])[] = [
  ['0u', 0n, 0, D],
  ['0k', 0n, 0, D],
  ['0Mi', 0n, 0, B],
  ['0M', 0n, 0, D],
  ['0Gi', 0n, 0, B],
  ['0G', 0n, 0, D],
  ['0Ti', 0n, 0, B],
  ['0T', 0n, 0, D],
  ['5Ti', 5n * 1024n ** 4n, 0, B],
  ['4Pi', 4n * 1024n ** 5n, 0, B],
  ['3Ei', 3n * 1024n ** 6n, 0, B],
  ['10Ti', 10n * 1024n ** 4n, 0, B],
  ['100Ti', 100n * 1024n ** 4n, 0, B],
  ['5n', 5n, -9, D],
  ['4u', 4n, -6, D],
  ['3m', 3n, -3, D],
  ['9', 9n, 0, D],
  ['8k', 8n, 3, D],
  ['50k', 5n, 4, D],
  ['7M', 7n, 6, D],
  ['6G', 6n, 9, D],
  ['5T', 5n, 12, D],
  ['40T', 4n, 13, D],
  ['300T', 3n, 14, D],
  ['2P', 2n, 15, D],
  ['1E', 1n, 18, D],
  ['1E-3', 1n, -3, X],
  ['1E6', 1n, 6, X],
  ['1e9', 1n, 9, X],
  ['1E12', 1n, 12, X],
  ['1e15', 1n, 15, X],
  ['1E18', 1n, 18, X],
  ['0.005', 5n, -3, D],
  ['0.05', 5n, -2, D],
  ['0.00050k', 5n, -1, D],
  ['0.00500', 5n, -3, D],
  ['0.05000', 5n, -2, D],
  ['0.50000', 5n, -1, D],
  ['1.6e15', 16n, 14, X],
  ['1.7E18', 17n, 17, X],
  ['6.987654321G', 6987654321n, 0, D],
  ['300.2T', 3002n, 11, D],
  ['0.0000000001', 1n, -9, D],
  ['0.00000000050', 1n, -9, D],
  ['0.00000012354', 124n, -9, D],
  ['9223372036854775807Ki', 9223372036854775807n, 0, B],
  ['0.025Ti', 274877906944n, -1, B],
];

for (const [input, mantissa, scale, format] of goParseTable) {
  const nano = scale >= -9 ? mantissa * 10n ** BigInt(scale + 9) : mantissa / 10n ** BigInt(-9 - scale);
  for (const sign of ['', '-', '+']) {
    test(`parseQuantity reads ${JSON.stringify(sign + input)} exactly (Go TestQuantityParse)`, () => {
      const quantity = parseQuantity(sign + input);
      assert.equal(quantity.nano, sign === '-' ? -nano : nano);
      assert.equal(quantity.format, format);
    });
  }
}

// --- Rounding and limits (spec §5.2).

test('parseQuantity rounds up away from zero to the next nano, never to zero', () => {
  const cases: [string, bigint][] = [
    ['0.0000000001', 1n],
    ['-0.0000000001', -1n],
    ['3.001n', 4n],
    ['-3.001n', -4n],
    ['1e-999999999', 1n],
    ['-1e-30', -1n],
    ['0.0000000019', 2n],
    ['1.0000000000000000000001', 1000000001n],
  ];
  for (const [input, nano] of cases) assert.equal(parseQuantity(input).nano, nano, input);
});

test('parseQuantity keeps zero zero whatever the exponent', () => {
  for (const input of ['0e999999999', '-0', '0.000e-5', '-0Ki', '000.000']) {
    const quantity = parseQuantity(input);
    assert.equal(quantity.nano, 0n, input);
    assert.equal(quantity.toString(), '0', input);
  }
  assert.equal(parseQuantity('0e5').format, 'DecimalExponent');
});

test('parseQuantity caps BinarySI at 2^63-1 units, keeping the sign', () => {
  assert.equal(parseQuantity('9Ei').nano, 9223372036854775807n * 1_000_000_000n);
  assert.equal(parseQuantity('-16Ei').nano, -9223372036854775807n * 1_000_000_000n);
  assert.equal(parseQuantity('8Ei').toString(), '9223372036854775807');
  assert.equal(parseQuantity('7Ei').toString(), '7Ei');
});

test('parseQuantity accepts exactly 2^63-1 units in decimal', () => {
  assert.equal(parseQuantity('9223372036854775807').toString(), '9223372036854775807');
  assert.equal(parseQuantity('-9223372036854775807').value(), -9223372036854775807n);
  assert.equal(parseQuantity('9.223372036854775807E').value(), 9223372036854775807n);
});

test('parseQuantity accepts 128 characters', () => {
  assert.equal(parseQuantity(`${'0'.repeat(127)}1`).toString(), '1');
});

// --- Go `TestQuantityString` from the parsing side: the canonical text round-trips, and the alternates reach it.

const goAlternates: readonly (readonly [string, string])[] = [
  ['1024Mi', '1Gi'],
  ['307200Ki', '300Mi'],
  ['1025024Mi', '1001Gi'],
  ['1024Gi', '1Ti'],
  ['5000m', '5'],
  ['0.5', '500m'],
  ['1000M', '1G'],
  ['0.001T', '1G'],
  ['1000u', '1m'],
  ['1.08', '1080m'],
  ['1080000000n', '1080m'],
  ['.001e12', '1e9'],
  ['0.001e0', '1e-3'],
  ['1000e-12', '1e-9'],
  ['00', '0'],
];

for (const [alternate, canonical] of goAlternates) {
  test(`parseQuantity reads the alternate ${JSON.stringify(alternate)} as ${canonical}, which round-trips`, () => {
    assert.equal(parseQuantity(alternate).toString(), canonical);
    assert.equal(parseQuantity(canonical).toString(), canonical);
    assert.equal(parseQuantity(`-${alternate}`).toString(), canonical === '0' ? '0' : `-${canonical}`);
  });
}

test('parseQuantity round-trips every canonical form Go TestQuantityString prints', () => {
  const canonical = [
    '6Ki',
    '80m',
    '300M',
    '1T',
    '1234567M',
    '1234567m',
    '3k',
    '1025',
    '80e-3',
    '300e6',
    '1e12',
    '3e3',
    '1n',
    '80n',
    '1u',
    '80u',
    '1080u',
  ];
  for (const text of canonical) assert.equal(parseQuantity(text).toString(), text, text);
});
