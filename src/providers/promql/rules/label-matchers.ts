/**
 * PromQL label matchers as prometheus-adapter writes them (`pod="a"`, `pod=~"a|b"`, values quoted with Go `%q`),
 * and the translation of a Kubernetes label selector into matchers (pkg/naming/metrics_query.go `processQueryParts`).
 * @module
 */
import { badRequest } from '../../../api/errors.js';
import type { Requirement, Selector } from '../../../selector/index.js';
import { goQuote } from '../../../selector/go-text.js';

export const labelEq = (label: string, value: string): string => `${label}=${goQuote(value)}`;
const labelNeq = (label: string, value: string): string => `${label}!=${goQuote(value)}`;
export const labelMatches = (label: string, regexp: string): string => `${label}=~${goQuote(regexp)}`;
const labelNotMatches = (label: string, regexp: string): string => `${label}!~${goQuote(regexp)}`;

/** Matchers in template order, and the raw values by label (`|`-joined) for `.LabelValuesByName`. */
export interface MatcherSet {
  readonly exprs: string[];
  readonly valuesByName: Record<string, string>;
}

/**
 * Appends one matcher per requirement of `selector`. NB: as in the peer, values pass through unescaped, so an `in`
 * list is a regular expression alternation (a user may send a regex on purpose). `gt`/`lt` have no PromQL
 * counterpart: the caller's mistake, 400. `labelFor` renames keys (object labels on series).
 */
export function addSelectorMatchers(
  set: MatcherSet,
  selector: Selector,
  labelFor: (key: string) => string = (key) => key,
): void {
  for (const requirement of selector.requirements) {
    const label = labelFor(requirement.key);
    set.exprs.push(matcherFor(requirement, label));
    set.valuesByName[label] = requirement.values.join('|');
  }
}

function matcherFor(requirement: Requirement, label: string): string {
  const { operator, values } = requirement;
  const joined = values.join('|');
  switch (operator) {
    case '=':
    case '==':
      return values.length > 1 ? labelMatches(label, joined) : labelEq(label, joined);
    case '!=':
      return values.length > 1 ? labelNotMatches(label, joined) : labelNeq(label, joined);
    case 'in':
      return labelMatches(label, joined);
    case 'notin':
      return labelNotMatches(label, joined);
    case 'exists':
      return labelNeq(label, '');
    case '!':
      return labelEq(label, '');
    case 'gt':
    case 'lt':
      throw badRequest(
        `the label selector operator ${operator} (on ${requirement.key}) cannot be expressed as a Prometheus label matcher`,
      );
  }
}

/**
 * A Kubernetes label key as Prometheus' service discovery writes it on series (`app.kubernetes.io/name` →
 * `app_kubernetes_io_name`): Prometheus label names allow only `[a-zA-Z0-9_]`.
 */
export function prometheusLabelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
