/**
 * Integer helpers for fixed-point quantities held as a bigint count of nano-units: the limits and the two
 * rounding rules the module needs (Go's "up, away from zero" and half-away-from-zero for floats).
 * @module
 */

/** Go's documented magnitude limit for a quantity, in units: 2^63-1. */
export const maxUnits = 9223372036854775807n;

/** Nano-units per unit: the internal precision of a parsed quantity (Go `resource.Nano`). */
export const nanoPerUnit = 1_000_000_000n;

/** {@link maxUnits} in nano-units. */
export const maxNano = maxUnits * nanoPerUnit;

const powersOfTen: bigint[] = [1n];

/** 10^exponent for exponent ≥ 0; the small powers the hot path uses are cached. */
export function pow10(exponent: number): bigint {
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: equivalent, the cache only saves
  // time; both paths give 10^exponent.
  if (exponent < 64) {
    for (let i = powersOfTen.length; i <= exponent; i++) powersOfTen.push(powersOfTen[i - 1]! * 10n);
    return powersOfTen[exponent]!;
  }
  return 10n ** BigInt(exponent);
}

/** numerator / divisor (divisor > 0), rounded up away from zero when inexact, as Go's `negativeScaleInt64` does. */
export function divideAwayFromZero(numerator: bigint, divisor: bigint): bigint {
  const quotient = numerator / divisor;
  if (quotient * divisor === numerator) return quotient;
  // Stryker disable next-line EqualityOperator: equivalent, a zero numerator divides exactly and returned above.
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}

/** numerator / divisor (divisor > 0), rounded to nearest with halves away from zero. */
export function divideHalfAwayFromZero(numerator: bigint, divisor: bigint): bigint {
  const quotient = numerator / divisor;
  const remainder = numerator - quotient * divisor;
  // Stryker disable next-line EqualityOperator: equivalent, -2n * 0n and 2n * 0n are both 0n.
  const twice = remainder < 0n ? -2n * remainder : 2n * remainder;
  if (twice < divisor) return quotient;
  // Stryker disable next-line EqualityOperator: equivalent, a zero numerator has no remainder and returned above.
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}
