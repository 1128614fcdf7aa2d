/**
 * The status page plots' value axis in the units of the table beside it: ticks at round steps, labelled with
 * the Kubernetes quantity text the API serves (`100m`, `1500m`, `2k`, `256Mi`), so the axis never reads
 * `0.115` next to a table cell of `373m`. Tick values are computed in nano-units (bigint), so `0.1 + 0.2` is
 * `300m`, never `300000000000000004n`.
 * @module
 */
import { formatQuantity, type QuantityFormat } from '../quantity/index.js';
import { numberToNano } from '../quantity/number-to-nano.js';

export interface ValueAxis {
  /** The axis' ends: round multiples of the step that hold every value and zero. */
  readonly min: number;
  readonly max: number;
  /** From `min` to `max`, each labelled as the table would print it. */
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
}

const binarySuffix = /\d(?:Ki|Mi|Gi|Ti|Pi|Ei)$/;

/** The suffix family of a metric's values as the API printed them: BinarySI when any carries `Ki`…`Ei`. */
export function formatOfValues(values: readonly string[]): QuantityFormat {
  return values.some((v) => binarySuffix.test(v)) ? 'BinarySI' : 'DecimalSI';
}

/** `value` as the API would print it in `format` (nearest nano-unit). */
export function formatAxisValue(value: number, format: QuantityFormat = 'DecimalSI'): string {
  return formatQuantity(numberToNano(value), format);
}

/** The smallest 1, 2 or 5 × 10^k (k ≥ -9) at least `rough`, in nano-units. */
function decimalStep(rough: number): bigint {
  if (!(rough > 1e-9)) return 1n;
  const power = 10 ** Math.floor(Math.log10(rough));
  const mantissa = [1, 2, 5, 10].find((m) => m * power >= rough * (1 - 1e-12)) ?? 10;
  return numberToNano(Number((mantissa * power).toPrecision(1)));
}

/** Whole multiples of a power of 1024 (1, 2 or 5 × 10^k of it), so `formatQuantity` prints `256Mi`, not `268435456`. */
function binaryStep(rough: number): bigint | undefined {
  if (rough < 1024) return undefined;
  const exponent = Math.min(6, Math.floor(Math.log(rough) / Math.log(1024)));
  const unit = 1024 ** exponent;
  const inUnits = rough / unit;
  const power = 10 ** Math.floor(Math.log10(inUnits));
  const mantissa = [1, 2, 5, 10].find((m) => m * power >= inUnits * (1 - 1e-12)) ?? 10;
  // NB: 1000 of a unit is nearly the next one: 1Gi, 2Gi read better than 1000Mi, 2000Mi.
  const units = mantissa * power >= 1000 ? 1024 : mantissa * power;
  return BigInt(units) * BigInt(unit) * 1_000_000_000n;
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const ceilDiv = (a: bigint, b: bigint) => -floorDiv(-a, b);

/**
 * About `count` ticks over the values from `lo` to `hi` (zero always included, so bars of different
 * metrics read alike), in `format`'s units.
 */
export function valueAxis(lo: number, hi: number, format: QuantityFormat = 'DecimalSI', count = 5): ValueAxis {
  let low = Math.min(0, lo);
  let high = Math.max(0, hi);
  if (low === high) high = 1;
  const rough = (high - low) / Math.max(1, count - 1);
  const step = (format === 'BinarySI' ? binaryStep(rough) : undefined) ?? decimalStep(rough);
  const first = floorDiv(numberToNano(low), step);
  const last = ceilDiv(numberToNano(high), step);
  const ticks = [];
  for (let i = first; i <= last; i++) {
    const nano = i * step;
    ticks.push({ value: Number(nano) / 1e9, label: formatQuantity(nano, format) });
  }
  low = ticks[0]!.value;
  high = ticks[ticks.length - 1]!.value;
  return { min: low, max: high, ticks };
}
