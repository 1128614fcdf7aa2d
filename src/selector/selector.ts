/**
 * The Selector type and its compiled matcher. Hand-written because `matches` runs once per object and per
 * series on the HPA query path: requirements are compiled once into flat records (one value compared
 * directly, several looked up in a Set, `gt`/`lt` bounds pre-parsed), so a match is a plain loop with no
 * regex and no allocation (bar a bigint for a `gt`/`lt` label value over 15 digits).
 * @module
 */
import type { Labels } from '../api/types.js';
import { parseInt64 } from './int64.js';
import { compareStrings, requirementString, type Requirement } from './requirement.js';

/** A parsed label selector with Go `labels.Selector` semantics. */
export interface Selector {
  /** The requirements, sorted by key as Go sorts them; all must hold (there is no OR). */
  readonly requirements: readonly Requirement[];
  /** Whether every requirement holds for `labels`. */
  matches(labels: Labels): boolean;
  /** True when there are no requirements, so the selector matches everything (Go `Empty()`). */
  isEmpty(): boolean;
  /** Go's canonical `String()`: what a Go client sends; `''` for the empty selector. */
  toString(): string;
}

const equal = 0;
const notEqual = 1;
const inSet = 2;
const notInSet = 3;
const exists = 4;
const doesNotExist = 5;
const greaterThan = 6;
const lessThan = 7;

/** One requirement in the shape the match loop wants; every field is always set so the shape stays monomorphic. */
class Compiled {
  constructor(
    readonly key: string,
    readonly kind: number,
    readonly value: string,
    readonly set: ReadonlySet<string> | null,
    readonly bound: number | bigint,
  ) {}
}

// NB: `value` is read only for `equal`/`notEqual`, `set` only for the set kinds, so the '' placeholders are never
// compared; the marks below say so.
function compile(requirement: Requirement): Compiled {
  const { key, operator, values } = requirement;
  // Stryker disable next-line StringLiteral: equivalent, only operators without values reach the placeholder.
  const only = values[0] ?? '';
  switch (operator) {
    case '=':
    case '==':
      return new Compiled(key, equal, only, null, 0);
    case '!=':
      return new Compiled(key, notEqual, only, null, 0);
    case 'in':
      // Stryker disable next-line ConditionalExpression: equivalent, a one-value set matches what the value does.
      return values.length === 1
        ? new Compiled(key, equal, only, null, 0)
        : // Stryker disable next-line StringLiteral: equivalent, the placeholder is never compared.
          new Compiled(key, inSet, '', new Set(values), 0);
    case 'notin':
      return values.length === 1
        ? new Compiled(key, notEqual, only, null, 0)
        : // Stryker disable next-line StringLiteral: equivalent, the placeholder is never compared.
          new Compiled(key, notInSet, '', new Set(values), 0);
    case 'exists':
      // Stryker disable next-line StringLiteral: equivalent, the placeholder is never compared.
      return new Compiled(key, exists, '', null, 0);
    case '!':
      // Stryker disable next-line StringLiteral: equivalent, the placeholder is never compared.
      return new Compiled(key, doesNotExist, '', null, 0);
    case 'gt':
    case 'lt': {
      // NB: Go `Requirement.Matches` fails a gt/lt whose own value is not one integer; Infinity/NaN bounds do the same.
      const bound = values.length === 1 ? parseInt64(only) : undefined;
      // Stryker disable next-line StringLiteral: equivalent, the placeholder is never compared.
      return new Compiled(key, operator === 'gt' ? greaterThan : lessThan, '', null, bound ?? Number.NaN);
    }
  }
}

class CompiledSelector implements Selector {
  readonly requirements: readonly Requirement[];
  readonly #compiled: readonly Compiled[];
  #text: string | undefined;

  constructor(requirements: readonly Requirement[]) {
    this.requirements = Object.freeze(requirements);
    this.#compiled = requirements.map(compile);
  }

  matches(labels: Labels): boolean {
    const compiled = this.#compiled;
    for (let i = 0; i < compiled.length; i++) {
      const requirement = compiled[i]!;
      // NB: `typeof` rather than `!== undefined`, so inherited members such as `constructor` (a valid label
      // key) read as absent without a hasOwn call.
      const value: unknown = labels[requirement.key];
      switch (requirement.kind) {
        case equal:
          if (value !== requirement.value) return false;
          break;
        case notEqual:
          // NB: Go matches `k!=v` and `k notin (...)` when the label is absent.
          if (value === requirement.value) return false;
          break;
        case inSet:
          // Stryker disable next-line ConditionalExpression: equivalent, the set holds strings only, so has() of
          // anything else is false too.
          if (typeof value !== 'string' || !requirement.set!.has(value)) return false;
          break;
        case notInSet:
          // Stryker disable next-line ConditionalExpression: equivalent, the set holds strings only, so has() of
          // anything else is false too.
          if (typeof value === 'string' && requirement.set!.has(value)) return false;
          break;
        case exists:
          if (typeof value !== 'string') return false;
          break;
        case doesNotExist:
          if (typeof value === 'string') return false;
          break;
        default: {
          if (typeof value !== 'string') return false;
          const number = parseInt64(value);
          // Stryker disable next-line ConditionalExpression: equivalent, undefined compared with a bound is false,
          // which fails the requirement the same way.
          if (number === undefined) return false;
          if (requirement.kind === greaterThan ? !(number > requirement.bound) : !(number < requirement.bound))
            return false;
        }
      }
    }
    return true;
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return (this.#text ??= this.requirements.map(requirementString).join(','));
  }
}

/** A selector over requirements already sorted by key (the parser and converters sort them). */
export function createSelector(requirements: readonly Requirement[]): Selector {
  return requirements.length === 0 ? everything : new CompiledSelector(requirements);
}

/** The selector with no requirements: it matches every label set (Go `labels.Everything()`). */
export const everything: Selector = new CompiledSelector([]);

/**
 * Go `labels.SelectorFromSet`: one `k=v` requirement per label, sorted by key; an empty set gives
 * {@link everything}. NB: like Go, it does not validate, so it never throws.
 */
export function selectorFromSet(labels: Labels): Selector {
  const keys = Object.keys(labels).sort(compareStrings);
  return createSelector(
    keys.map((key) => Object.freeze({ key, operator: '=' as const, values: Object.freeze([labels[key]!]) })),
  );
}
