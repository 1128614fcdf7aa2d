/**
 * Float → nano-units for values that arrive as JavaScript numbers (Prometheus samples, provider code).
 * Reads the float's shortest round-trip decimal text rather than multiplying, so `0.1` is 100000000 nano,
 * not the 100000001 that exact binary expansion plus Go's round-up would give (spec §5.3, last paragraph).
 * @module
 */
import { divideHalfAwayFromZero, pow10 } from './scaled-math.js';

// NB: the shapes `String(x)` produces for a finite non-negative number: `123`, `0.1`, `1e-7`, `1.5e+21`.
// Stryker disable next-line Regex: equivalent, `String(x)` of a finite number is always one whole match, anchored or
// not.
const shortestDecimal = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/**
 * `x` in nano-units, rounded to the nearest nano with halves away from zero. A float carries no intent below its
 * shortest decimal form, so nearest rounding is used here, not the round-up of parsing (1/3 → 333333333n).
 * Throws RangeError for NaN and ±Infinity: that is a server-side fault, not a client's bad request.
 */
export function numberToNano(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`a quantity must be a finite number, got ${x}`);
  // Stryker disable next-line ConditionalExpression: equivalent, a fast path; `0` reads as mantissa 0 below.
  if (x === 0) return 0n;
  const match = shortestDecimal.exec(String(Math.abs(x)));
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, unreachable (see the Regex note above);
  // it narrows the type.
  if (match === null) throw new RangeError(`unexpected number text for ${x}`);
  // Stryker disable next-line StringLiteral: equivalent, `whole` always matches and an empty exponent reads as
  // Number('') = 0.
  const [, whole = '', fraction = '', exponent = '0'] = match;
  const mantissa = BigInt(whole + fraction);
  const shift = Number(exponent) - fraction.length + 9;
  // Stryker disable next-line EqualityOperator: equivalent, a shift of 0 divides by 10^0 = 1.
  const magnitude = shift >= 0 ? mantissa * pow10(shift) : divideHalfAwayFromZero(mantissa, pow10(-shift));
  // Stryker disable next-line EqualityOperator: equivalent, zero returned above.
  return x < 0 ? -magnitude : magnitude;
}

/** Below this magnitude in nano-units a double's spacing is at most 2^-8, so {@link numberToSafeNano} can round. */
const roundableNano = 2 ** 44;
/** How far from a half the scaled value must be for its rounding to be that of the shortest decimal (see below). */
const halfMargin = 2 ** -6;

/**
 * `x` in nano-units as a safe integer, the same value as {@link numberToNano}, when plain double arithmetic can tell
 * it (|x| below about 17,000 and not within a hair of a half-nano); undefined otherwise. NB: pushed samples turn a
 * float into a quantity per write, and the regular expression and bigints of numberToNano cost more than the rest of
 * storing one. Why it is exact: the shortest decimal D of x is within half a unit in the last place of x, so 1e9·D
 * is within one unit in the last place of y = fl(1e9·x), which is at most 2^-8 here. When y is further than 2^-6
 * from a half, 1e9·D rounds to the same integer as y; a tie of D (a fifth decimal 5 after nine) always lands inside
 * the margin and goes to numberToNano.
 */
export function numberToSafeNano(x: number): number | undefined {
  const y = Math.abs(x) * 1e9;
  if (!(y < roundableNano)) return undefined;
  const whole = Math.floor(y);
  const fraction = y - whole;
  if (Math.abs(fraction - 0.5) < halfMargin) return undefined;
  const nano = fraction > 0.5 ? whole + 1 : whole;
  return x < 0 ? -nano : nano;
}
