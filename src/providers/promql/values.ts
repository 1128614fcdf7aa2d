/**
 * Prometheus sample values as Quantities. NaN and ±Inf have no Quantity: such a sample is dropped, and the first
 * one per metric is logged, so a rule that divides by zero is visible without flooding the log.
 * @module
 */
import type { Logger } from '../../log/index.js';
import { Quantity } from '../../quantity/index.js';

export interface ValueConverter {
  /** The canonical Quantity text, or undefined for NaN and ±Inf. */
  quantity(value: number, metric: string): string | undefined;
}

export function createValueConverter(logger: Logger): ValueConverter {
  const warned = new Set<string>();
  return {
    quantity(value, metric) {
      if (Number.isFinite(value)) return Quantity.fromNumber(value).toString();
      if (!warned.has(metric)) {
        warned.add(metric);
        logger.warn(
          { metric, value: String(value) },
          `dropping ${value} values of ${metric}: a Quantity must be finite (logged once per metric)`,
        );
      }
      return undefined;
    },
  };
}
