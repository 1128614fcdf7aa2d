/**
 * The tolerance band of `replica_calculator.go` `Tolerances.isWithin` (spec §8.1): no rescale while the
 * usage ratio stays inside [1 − scaleDown, 1 + scaleUp], bounds included.
 * @module
 */
import type { Quantity } from '../quantity/index.js';
import type { Behavior } from './types.js';

export interface Tolerances {
  readonly scaleUp: number;
  readonly scaleDown: number;
}

/** The global flag's default, `--horizontal-pod-autoscaler-tolerance`. */
export const defaultTolerance = 0.1;

/** NB: Go reads the per-HPA tolerance with `AsApproximateFloat64`. */
function approximate(quantity: Quantity): number {
  return Number(quantity.nano) / 1e9;
}

export function tolerancesFor(behavior: Behavior | undefined, global: number = defaultTolerance): Tolerances {
  const up = behavior?.scaleUp?.tolerance;
  const down = behavior?.scaleDown?.tolerance;
  return {
    scaleUp: up === undefined ? global : approximate(up),
    scaleDown: down === undefined ? global : approximate(down),
  };
}

export function isWithin(ratio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.scaleDown <= ratio && ratio <= 1 + tolerances.scaleUp;
}

/** The band as text, for reasons: `[0.9, 1.1]`. */
export function formatBand(tolerances: Tolerances): string {
  return `[${round(1 - tolerances.scaleDown)}, ${round(1 + tolerances.scaleUp)}]`;
}

/** A ratio for people: at most 4 decimals, no trailing zeros. */
export function round(x: number): string {
  return String(Math.round(x * 10_000) / 10_000);
}
