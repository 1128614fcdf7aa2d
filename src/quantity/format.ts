/**
 * Go's canonical quantity text (`Quantity.CanonicalizeBytes`), the form every read response carries.
 * Hand-written: no JavaScript library reproduces Go's suffix choice, and the output must be byte-identical
 * to what a Go adapter would send (spec §5.3).
 * @module
 */
import { nanoPerUnit } from './scaled-math.js';

/** The suffix family a quantity was written in, remembered from parsing (Go `resource.Format`). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

const decimalSuffixes: Readonly<Record<number, string>> = {
  [-9]: 'n',
  [-6]: 'u',
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};
const largestDecimalExponent = 18;
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const largestBinaryPower = binarySuffixes.length - 1;
const binaryThreshold = 1024n * nanoPerUnit;

/**
 * The canonical text of `nano` nano-units in `format`, as Go's `Quantity.String()` emits for a computed value:
 * zero is `"0"`; DecimalSI and DecimalExponent use the smallest integer mantissa whose exponent is a multiple
 * of 3 (`1500m`, `10e12`); BinarySI uses the largest power of 1024 with an integer mantissa (`1536Mi`), or
 * DecimalSI when |value| < 1024 or the value is not a whole number.
 */
export function formatQuantity(nano: bigint, format: QuantityFormat): string {
  if (nano === 0n) return '0';
  // Stryker disable next-line EqualityOperator: equivalent, zero returned just above.
  const negative = nano < 0n;
  const magnitude = negative ? -nano : nano;
  const sign = negative ? '-' : '';
  if (format === 'BinarySI' && magnitude >= binaryThreshold && magnitude % nanoPerUnit === 0n) {
    return sign + formatBinary(magnitude / nanoPerUnit);
  }
  // NB: an unknown format (plain JavaScript callers) falls to exponent form, as Go `CanonicalizeBytes` does.
  return sign + formatDecimal(magnitude, format === 'DecimalSI' || format === 'BinarySI');
}

function formatBinary(units: bigint): string {
  let mantissa = units;
  let power = 0;
  // NB: Go (`removeInt64Factors` + `constructBytes`) emits no suffix past Ei, dropping the factor; we keep
  // stacking it into the mantissa instead. Unreachable for parsed values, which are capped at 2^63-1.
  while (power < largestBinaryPower && mantissa % 1024n === 0n) {
    mantissa /= 1024n;
    power++;
  }
  return `${mantissa}${binarySuffixes[power]}`;
}

/** The canonical DecimalSI text of `nano` nano-units, a safe integer: {@link formatQuantity} without bigints. */
export function formatSafeNanoDecimalSI(nano: number): string {
  if (nano === 0) return '0';
  return nano < 0 ? '-' + formatDecimalDigits(String(-nano), true) : formatDecimalDigits(String(nano), true);
}

/** `magnitude` > 0 nano-units as mantissa and a multiple-of-3 exponent: an SI suffix, or `e<exp>`. */
function formatDecimal(magnitude: bigint, si: boolean): string {
  return formatDecimalDigits(magnitude.toString(), si);
}

/** {@link formatDecimal} of the decimal digits of a magnitude > 0. */
function formatDecimalDigits(digits: string, si: boolean): string {
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
  let exponent = -9 + (digits.length - end);
  // NB: Go `AsCanonicalBytes` lowers a non-multiple-of-3 exponent by appending zeros (1e13 → "10e12").
  const lower = ((exponent % 3) + 3) % 3;
  exponent -= lower;
  let mantissa = digits.slice(0, end) + '0'.repeat(lower);
  if (!si) return exponent === 0 ? mantissa : `${mantissa}e${exponent}`;
  // Stryker disable next-line EqualityOperator: equivalent, at exactly E the block appends no zeros and keeps the
  // exponent.
  if (exponent > largestDecimalExponent) {
    // NB: Go has no suffix above E and emits the bare mantissa (`1000E` → "1", spec §5.2); we keep E.
    mantissa += '0'.repeat(exponent - largestDecimalExponent);
    exponent = largestDecimalExponent;
  }
  return mantissa + decimalSuffixes[exponent]!;
}
