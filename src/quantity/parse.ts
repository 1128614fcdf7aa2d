/**
 * Go `resource.ParseQuantity`: quantity text → exact {@link Quantity}. Hand-written: it runs on every write,
 * and no JavaScript library has Go's grammar, round-up-to-nano rule or BinarySI cap (spec §5.1, §5.2).
 * @module
 */
import { invalidQuantity, maxQuantityLength, suffixMessage } from './errors.js';
import type { QuantityFormat } from './format.js';
import { Quantity } from './quantity.js';
import { scanQuantity } from './scan.js';
import { divideAwayFromZero, maxNano, maxUnits, nanoPerUnit, pow10 } from './scaled-math.js';

interface SuffixMeaning {
  readonly base: 2 | 10;
  /** Power of `base`: 10n for Ki, -3n for m, 3n for e3. A bigint because `e<int64>` is legal text. */
  readonly exponent: bigint;
  readonly format: QuantityFormat;
}

const decimal = (exponent: bigint): SuffixMeaning => ({ base: 10, exponent, format: 'DecimalSI' });
const binary = (exponent: bigint): SuffixMeaning => ({ base: 2, exponent, format: 'BinarySI' });

// NB: Go `suffix.go` `newSuffixer`; `u` and `n` exist although the doc comment lists only `m`.
const namedSuffixes: ReadonlyMap<string, SuffixMeaning> = new Map([
  ['n', decimal(-9n)],
  ['u', decimal(-6n)],
  ['m', decimal(-3n)],
  ['', decimal(0n)],
  ['k', decimal(3n)],
  ['M', decimal(6n)],
  ['G', decimal(9n)],
  ['T', decimal(12n)],
  ['P', decimal(15n)],
  ['E', decimal(18n)],
  ['Ki', binary(10n)],
  ['Mi', binary(20n)],
  ['Gi', binary(30n)],
  ['Ti', binary(40n)],
  ['Pi', binary(50n)],
  ['Ei', binary(60n)],
]);

// Stryker disable next-line Regex: equivalent, the scanner ends a suffix at its digits, so nothing can follow them.
const exponentDigits = /^[+-]?\d+$/;
const int64Min = -9223372036854775808n;
const tooLargeMessage = `magnitude exceeds the maximum of ${maxUnits} (2^63-1)`;

/**
 * Parses a quantity such as `300m`, `1.5Gi`, `1e3` or `-0.25`, exactly as Go `ParseQuantity` does: non-zero
 * values round up, away from zero, to the next nano; BinarySI caps at 2^63-1; a BinarySI value below 1 switches
 * to DecimalSI. Stricter than Go in three ways: a decimal magnitude above 2^63-1 is rejected (Go's documented
 * limit; Go itself accepts and then overflows), a number with no digit (`.`, `m`) is rejected, and so is text
 * longer than 128 characters. Throws {@link InvalidQuantityError} with Go's message where Go has one.
 */
export function parseQuantity(text: string): Quantity {
  if (typeof text !== 'string') throw invalidQuantity(String(text), 'a quantity must be a string');
  if (text.length > maxQuantityLength) {
    throw invalidQuantity(text, `longer than ${maxQuantityLength} characters`);
  }
  const { negative, integer, fraction, suffix } = scanQuantity(text);
  const meaning = interpretSuffix(suffix);
  if (meaning === undefined) throw invalidQuantity(text, suffixMessage);

  const digits = stripLeadingZeros(integer + fraction);
  if (digits === '') return new Quantity(0n, meaning.format);
  const mantissa = BigInt(digits);

  let magnitude: bigint;
  let format = meaning.format;
  if (meaning.base === 2) {
    const scaled = (mantissa << meaning.exponent) * nanoPerUnit;
    magnitude = divideAwayFromZero(scaled, pow10(fraction.length));
    // NB: Go caps only BinarySI at 2^63-1, and prints a BinarySI value in (0, 1) as DecimalSI (`quantity.go`).
    // Stryker disable next-line EqualityOperator: equivalent, at equality the cap sets the value it already has.
    if (magnitude > maxNano) magnitude = maxNano;
    if (magnitude < nanoPerUnit) format = 'DecimalSI';
  } else {
    magnitude = decimalToNano(text, mantissa, digits.length, meaning.exponent - BigInt(fraction.length));
  }
  return new Quantity(negative ? -magnitude : magnitude, format);
}

/** The meaning of `suffix`, or undefined for Go's `ErrSuffix`. */
function interpretSuffix(suffix: string): SuffixMeaning | undefined {
  const named = namedSuffixes.get(suffix);
  if (named !== undefined) return named;
  const first = suffix.charAt(0);
  if (first !== 'e' && first !== 'E') return undefined;
  // NB: Go reads the exponent with `strconv.ParseInt(..., 64)`: a sign and digits, within int64, else ErrSuffix.
  // Go then truncates it to int32 (`suffix.go` `interpret`), so `1e4294967296` is 1 there; we keep the int64 value,
  // which `decimalToNano` rejects as too large or rounds up to 1n.
  const text = suffix.slice(1);
  if (!exponentDigits.test(text)) return undefined;
  const exponent = BigInt(text);
  if (exponent < int64Min || exponent > maxUnits) return undefined;
  return { base: 10, exponent, format: 'DecimalExponent' };
}

/**
 * mantissa × 10^power in nano-units, rounded up; `length` is the mantissa's digit count. The size checks come
 * before any bigint power, so `1e999999999` costs nothing.
 */
function decimalToNano(text: string, mantissa: bigint, length: number, power: bigint): bigint {
  // NB: the leading digit sits at 10^(length-1+power); 10^19 already exceeds 2^63-1.
  // Stryker disable next-line EqualityOperator: equivalent, at exactly 10^19 the `nano > maxNano` check below throws
  // the same error.
  if (BigInt(length - 1) + power >= 19n) throw invalidQuantity(text, tooLargeMessage);
  // NB: below 10^-9 every non-zero value rounds up to 1n (Go `inf.RoundUp` at `Nano`, spec §5.2).
  // Stryker disable next-line EqualityOperator: equivalent, at exactly 10^-9 the division below also rounds up to 1n.
  if (BigInt(length) + power <= -9n) return 1n;
  // NB: both checks passed, so -9-length < power < 19, and the shift below is small.
  const shift = Number(power) + 9;
  // Stryker disable next-line EqualityOperator: equivalent, a shift of 0 divides by 10^0 = 1.
  const nano = shift >= 0 ? mantissa * pow10(shift) : divideAwayFromZero(mantissa, pow10(-shift));
  if (nano > maxNano) throw invalidQuantity(text, tooLargeMessage);
  return nano;
}

function stripLeadingZeros(digits: string): string {
  let start = 0;
  while (digits.charCodeAt(start) === 48 /* 0 */) start++;
  return digits.slice(start);
}
