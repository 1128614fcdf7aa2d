import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatQuantity, type QuantityFormat } from './format.js';

/** mantissa × 10^scale in nano-units, like Go's test helper `decQuantity`. */
function nanoOf(mantissa: bigint, scale: number): bigint {
  return mantissa * 10n ** BigInt(scale + 9);
}

test('formatQuantity writes zero as "0" in every format', () => {
  for (const format of ['DecimalSI', 'BinarySI', 'DecimalExponent'] as const)
    assert.equal(formatQuantity(0n, format), '0');
});

// NB: every case of Go `TestQuantityString`, which includes the spec §5.3 paragraph below the table.
const goStringTable: readonly (readonly [bigint, number, QuantityFormat, string])[] = [
  [1024n * 1024n * 1024n, 0, 'BinarySI', '1Gi'],
  [300n * 1024n * 1024n, 0, 'BinarySI', '300Mi'],
  [6n * 1024n, 0, 'BinarySI', '6Ki'],
  [1001n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1001Gi'],
  [1024n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1Ti'],
  [5n, 0, 'BinarySI', '5'],
  [500n, -3, 'BinarySI', '500m'],
  [1n, 9, 'DecimalSI', '1G'],
  [1000n, 6, 'DecimalSI', '1G'],
  [1000000n, 3, 'DecimalSI', '1G'],
  [1000000000n, 0, 'DecimalSI', '1G'],
  [1n, -3, 'DecimalSI', '1m'],
  [80n, -3, 'DecimalSI', '80m'],
  [1080n, -3, 'DecimalSI', '1080m'],
  [108n, -2, 'DecimalSI', '1080m'],
  [10800n, -4, 'DecimalSI', '1080m'],
  [300n, 6, 'DecimalSI', '300M'],
  [1n, 12, 'DecimalSI', '1T'],
  [1234567n, 6, 'DecimalSI', '1234567M'],
  [1234567n, -3, 'BinarySI', '1234567m'],
  [3n, 3, 'DecimalSI', '3k'],
  [1025n, 0, 'BinarySI', '1025'],
  [1n, 9, 'DecimalExponent', '1e9'],
  [1n, -3, 'DecimalExponent', '1e-3'],
  [1n, -9, 'DecimalExponent', '1e-9'],
  [80n, -3, 'DecimalExponent', '80e-3'],
  [300n, 6, 'DecimalExponent', '300e6'],
  [1n, 12, 'DecimalExponent', '1e12'],
  [1n, 3, 'DecimalExponent', '1e3'],
  [3n, 3, 'DecimalExponent', '3e3'],
  [1n, -9, 'DecimalSI', '1n'],
  [80n, -9, 'DecimalSI', '80n'],
  [1080n, -9, 'DecimalSI', '1080n'],
  [108n, -8, 'DecimalSI', '1080n'],
  [1n, -6, 'DecimalSI', '1u'],
  [80n, -6, 'DecimalSI', '80u'],
  [1080n, -6, 'DecimalSI', '1080u'],
];

for (const [mantissa, scale, format, expected] of goStringTable) {
  test(`formatQuantity writes ${mantissa}e${scale} ${format} as ${expected}, and its negative with "-"`, () => {
    assert.equal(formatQuantity(nanoOf(mantissa, scale), format), expected);
    assert.equal(formatQuantity(-nanoOf(mantissa, scale), format), `-${expected}`);
  });
}

test('formatQuantity writes Go TestQuantityString 10800e-10 (finer than nano) as 1080n', () => {
  assert.equal(formatQuantity(10800n / 10n, 'DecimalSI'), '1080n');
});

test('formatQuantity writes BinarySI below 1024 or with a fraction in DecimalSI form', () => {
  assert.equal(formatQuantity(1023n * 1_000_000_000n, 'BinarySI'), '1023');
  // NB: Go CanonicalizeBytes switches a BinarySI value within (-1024, 1024) to DecimalSI, so 1000 is `1k`.
  assert.equal(formatQuantity(1000n * 1_000_000_000n, 'BinarySI'), '1k');
  assert.equal(formatQuantity(-1000n * 1_000_000_000n, 'BinarySI'), '-1k');
  assert.equal(formatQuantity(-1023n * 1_000_000_000n, 'BinarySI'), '-1023');
  assert.equal(formatQuantity(1024n * 1_000_000_000n, 'BinarySI'), '1Ki');
  assert.equal(formatQuantity(-1024n * 1_000_000_000n, 'BinarySI'), '-1Ki');
  assert.equal(formatQuantity(2048n * 1_000_000_000n + 1n, 'BinarySI'), '2048000000001n');
  assert.equal(formatQuantity(1048576n * 1_000_000n, 'BinarySI'), '1048576m');
});

test("formatQuantity keeps the largest suffix beyond E instead of Go's bare mantissa", () => {
  assert.equal(formatQuantity(nanoOf(1n, 21), 'DecimalSI'), '1000E');
  assert.equal(formatQuantity(nanoOf(12n, 25), 'DecimalSI'), '120000000E');
  assert.equal(formatQuantity(nanoOf(1n, 21), 'DecimalExponent'), '1e21');
  assert.equal(formatQuantity(2n ** 70n * 1_000_000_000n, 'BinarySI'), '1024Ei');
  assert.equal(formatQuantity(3n * 2n ** 60n * 1_000_000_000n, 'BinarySI'), '3Ei');
});

test('formatQuantity writes an unknown format in exponent form, as Go does', () => {
  assert.equal(formatQuantity(nanoOf(1n, 6), 'Bogus' as QuantityFormat), '1e6');
});
