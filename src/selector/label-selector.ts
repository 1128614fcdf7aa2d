/**
 * Conversions between a Selector and the metav1.LabelSelector API object, after apimachinery
 * `pkg/apis/meta/v1/helpers.go` (`ParseToLabelSelector`, `LabelSelectorAsSelector`).
 * @module
 */
import type { LabelSelector, LabelSelectorRequirement } from '../api/types.js';
import { InvalidSelectorError } from './errors.js';
import { goQuote } from './go-text.js';
import { compareStrings, newRequirement, sortByKey, type Operator, type Requirement } from './requirement.js';
import { createSelector, everything, type Selector } from './selector.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const expressionOperators: Readonly<Record<string, LabelSelectorRequirement['operator']>> = {
  in: 'In',
  notin: 'NotIn',
  '!=': 'NotIn',
  exists: 'Exists',
  '!': 'DoesNotExist',
};

/**
 * The LabelSelector for a selector, as Go `metav1.ParseToLabelSelector(sel.String())` builds it for a
 * MetricValue's `selector`: `=`/`==` go to `matchLabels`, `in`/`notin`/exists/`!` to `matchExpressions`.
 * Fields come in Go's order (`matchLabels`, then `matchExpressions`) and empty ones are left out, as Go's
 * omitempty does. Returns null for the empty selector (Go leaves the field nil, prometheus-adapter
 * `provider.go`) and for one with `>`/`<`, which a LabelSelector cannot express.
 * NB: Go fails on `!=` (`"!=" is not a valid label selector operator`) and on `>`/`<` (`"gt" isn't supported
 * in label selectors`). The selector field is informational, so instead of failing a valid query we write
 * `!=` as the equivalent `NotIn [v]` and leave a `>`/`<` selector out (null).
 */
export function toLabelSelector(selector: Selector): LabelSelector | null {
  const { requirements } = selector;
  if (requirements.length === 0) return null;
  let matchLabels: Record<string, string> | undefined;
  let matchExpressions: LabelSelectorRequirement[] | undefined;
  for (const { key, operator, values } of requirements) {
    if (operator === 'gt' || operator === 'lt') return null;
    if (operator === '=' || operator === '==') {
      matchLabels ??= {};
      // NB: a later `k=v` overwrites an earlier one, as Go's map assignment does. `__proto__` must not set the
      // prototype.
      Object.defineProperty(matchLabels, key, {
        value: values[0]!,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      continue;
    }
    const expression: Mutable<LabelSelectorRequirement> = { key, operator: expressionOperators[operator]! };
    // NB: Go writes `req.Values().List()`, a sorted set: no duplicates, and none (omitempty) for Exists.
    const unique = [...new Set(values)];
    if (unique.length > 0) expression.values = unique;
    (matchExpressions ??= []).push(expression);
  }
  const result: Mutable<LabelSelector> = {};
  if (matchLabels !== undefined) result.matchLabels = matchLabels;
  if (matchExpressions !== undefined) result.matchExpressions = matchExpressions;
  return result;
}

const requirementOperators: Readonly<Record<string, Operator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * Go `metav1.LabelSelectorAsSelector`: `matchLabels` become `k=v`, `matchExpressions` their set-based
 * requirements, each validated; throws InvalidSelectorError with Go's message. An empty LabelSelector is
 * {@link everything}.
 * NB: Go turns a nil LabelSelector into `labels.Nothing()`, which matches nothing. We return
 * {@link everything} instead: Nothing's `String()` is `''`, so on the wire (HPA `metricLabelSelector`, spec
 * §1.7) a nil selector is indistinguishable from an empty one, and spec §1.7 says to treat it as all series.
 * NB: Go reports the first invalid `matchLabels` entry in random map order; we check them in key order.
 */
export function labelSelectorToSelector(labelSelector: LabelSelector | null | undefined): Selector {
  if (labelSelector === null || labelSelector === undefined) return everything;
  const matchLabels = labelSelector.matchLabels ?? {};
  const matchExpressions = labelSelector.matchExpressions ?? [];
  const requirements: Requirement[] = [];
  for (const key of Object.keys(matchLabels).sort(compareStrings)) {
    requirements.push(checked(newRequirement(key, '=', [matchLabels[key]!])));
  }
  for (const expression of matchExpressions) {
    const operator = Object.hasOwn(requirementOperators, expression.operator)
      ? requirementOperators[expression.operator]
      : undefined;
    if (operator === undefined)
      throw new InvalidSelectorError(`${goQuote(String(expression.operator))} is not a valid label selector operator`);
    requirements.push(checked(newRequirement(expression.key, operator, expression.values ?? [])));
  }
  return createSelector(sortByKey(requirements));
}

function checked(result: Requirement | string): Requirement {
  if (typeof result === 'string') throw new InvalidSelectorError(result);
  return result;
}
