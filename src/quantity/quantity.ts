/**
 * `Quantity`: a Kubernetes `resource.Quantity` as an exact bigint count of nano-units plus the suffix family
 * it prints in. Hand-written: it sits on every read response, and no JavaScript library reproduces Go's
 * fixed-point rounding or canonical text.
 * @module
 */
import { formatQuantity, formatSafeNanoDecimalSI, type QuantityFormat } from './format.js';
import { numberToNano, numberToSafeNano } from './number-to-nano.js';
import { divideAwayFromZero, nanoPerUnit } from './scaled-math.js';

const nanoPerMilli = 1_000_000n;

/** An immutable quantity. Build one with {@link parseQuantity}, `fromMilli`, `fromNumber` or the constructor. */
export class Quantity {
  /** The exact value in nano-units (1e-9): Go's internal precision after parsing. */
  readonly nano: bigint;
  /** How `toString` writes the value; parsing remembers the input's suffix family. */
  readonly format: QuantityFormat;
  #text: string | undefined;

  constructor(nano: bigint, format: QuantityFormat = 'DecimalSI') {
    this.nano = nano;
    this.format = format;
  }

  /** A value of `milli` thousandths, like Go `NewMilliQuantity` (DecimalSI unless told). */
  static fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (typeof milli === 'number' && !Number.isSafeInteger(milli)) {
      throw new RangeError(`milli-units must be a safe integer, got ${milli}`);
    }
    return new Quantity(BigInt(milli) * nanoPerMilli, format);
  }

  /** A DecimalSI value from a float, rounded to the nearest nano from its shortest decimal form (0.1 → `100m`). */
  static fromNumber(x: number): Quantity {
    const safe = numberToSafeNano(x);
    if (safe === undefined) return new Quantity(numberToNano(x), 'DecimalSI');
    const quantity = new Quantity(BigInt(safe), 'DecimalSI');
    quantity.#text = formatSafeNanoDecimalSI(safe);
    return quantity;
  }

  /** The canonical text Go emits for this value (spec §5.3), computed once: it is read on every response. */
  toString(): string {
    return (this.#text ??= formatQuantity(this.nano, this.format));
  }

  /** The canonical text, so `JSON.stringify` writes the wire form instead of failing on the bigint field. */
  toJSON(): string {
    return this.toString();
  }

  /** Thousandths, rounded up away from zero, like Go `MilliValue` (what the HPA reads): `1500u` → 2, `5n` → 1. */
  milliValue(): bigint {
    return divideAwayFromZero(this.nano, nanoPerMilli);
  }

  /** Whole units, rounded up away from zero, like Go `Value`: `1500m` → 2, `-0.5` → -1. */
  value(): bigint {
    return divideAwayFromZero(this.nano, nanoPerUnit);
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`; the format plays no part. */
  cmp(other: Quantity): -1 | 0 | 1 {
    return this.nano < other.nano ? -1 : this.nano > other.nano ? 1 : 0;
  }

  /** The exact sum, printed in this quantity's format. */
  add(other: Quantity): Quantity {
    return new Quantity(this.nano + other.nano, this.format);
  }

  isZero(): boolean {
    return this.nano === 0n;
  }
}
