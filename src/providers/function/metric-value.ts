/**
 * What a metric function returns: a base value and per-label variants, `value(42).withLabels({ region: 'eu' }, 40)`
 * (the counterpart of the Go externalmetrics `NewValue(v)` / `AddSelector(key, value, v)`), and the rule that picks
 * the series a request's `labelSelector` asks for.
 * @module
 */
import type { Labels } from '../../api/types.js';
import { Quantity, parseQuantity } from '../../quantity/index.js';
import type { Selector } from '../../selector/index.js';
import { labelKeyProblems, labelValueProblems } from '../../selector/label-validation.js';

/** A number (`0.25` → `250m`), a quantity string (`'1.5Gi'`, `'300m'`) or a Quantity. */
export type QuantityInput = number | string | Quantity;

/** One series of a metric: its labels and canonical quantity text. */
export interface MetricSeries {
  readonly labels: Labels;
  readonly value: string;
}

/**
 * An immutable result: an optional base value (what a request without a selector gets) and labelled
 * variants (what a selector picks from). Every method returns a new MetricResult.
 */
export class MetricResult {
  private constructor(
    readonly base: MetricSeries | undefined,
    readonly variants: readonly MetricSeries[],
  ) {}

  /** @internal the empty result; use {@link value} or {@link variants}. */
  static create(base: QuantityInput | undefined): MetricResult {
    return new MetricResult(base === undefined ? undefined : { labels: {}, value: toQuantityText(base) }, []);
  }

  /**
   * Adds the variant with these labels; a variant with the same label set is replaced. Throws a
   * TypeError for a label name or value Kubernetes would refuse, so the mistake shows in the metric's log.
   */
  withLabels(labels: Labels, quantity: QuantityInput): MetricResult {
    for (const [key, text] of Object.entries(labels)) {
      const problems = [...labelKeyProblems(key), ...labelValueProblems(text)];
      if (problems.length > 0) throw new TypeError(`invalid metric label ${key}=${text}: ${problems.join('; ')}`);
    }
    const series: MetricSeries = { labels: { ...labels }, value: toQuantityText(quantity) };
    const same = sameLabels(series.labels);
    return new MetricResult(this.base, [...this.variants.filter((v) => !same(v.labels)), series]);
  }

  /**
   * The series a request gets. Without a selector: the base value, or every variant when there is none
   * (never both: the HPA sums the items, so the base would count twice). With a selector: the variants
   * whose labels it matches, possibly none.
   */
  select(selector: Selector): readonly MetricSeries[] {
    if (selector.isEmpty()) return this.base !== undefined ? [this.base] : this.variants;
    return this.variants.filter((v) => selector.matches(v.labels));
  }
}

/** A result with base value `quantity`; add variants with `.withLabels(labels, quantity)`. */
export function value(quantity: QuantityInput): MetricResult {
  return MetricResult.create(quantity);
}

/** A result with no base value, only the variants added next: a request without a selector gets all of them. */
export function variants(): MetricResult {
  return MetricResult.create(undefined);
}

/** What a metric function may return: a MetricResult, or a bare quantity as the base value. */
export type MetricFunctionResult = MetricResult | QuantityInput;

export function toMetricResult(result: MetricFunctionResult): MetricResult {
  return result instanceof MetricResult ? result : value(result);
}

/** The canonical Quantity text of a number, quantity string or Quantity; a TypeError for anything else. */
export function toQuantityText(quantity: QuantityInput): string {
  if (quantity instanceof Quantity) return quantity.toString();
  if (typeof quantity === 'number') {
    if (!Number.isFinite(quantity)) throw new TypeError(`a metric value must be a finite number, got ${quantity}`);
    return Quantity.fromNumber(quantity).toString();
  }
  if (typeof quantity === 'string') return parseQuantity(quantity).toString();
  throw new TypeError(`a metric value must be a number, a quantity string or a Quantity, got ${typeof quantity}`);
}

function sameLabels(a: Labels): (b: Labels) => boolean {
  const keys = Object.keys(a);
  return (b) => Object.keys(b).length === keys.length && keys.every((k) => b[k] === a[k]);
}
