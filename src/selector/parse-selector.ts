/**
 * Go `labels.Parse`: the selector string grammar of apimachinery `pkg/labels/selector.go`, with its error
 * texts word for word (the HTTP layer returns them in a 400 Status) and its canonical order.
 * Hand-written rather than generated or taken from a library: it sits on the request path, and what counts
 * is Go's exact grammar, quirks and messages, which no JavaScript selector library reproduces.
 * @module
 */
import { checkLength, InvalidSelectorError } from './errors.js';
import { fieldInvalid, goQuote } from './go-text.js';
import { labelKeyProblems } from './label-validation.js';
import {
  closedPar,
  comma,
  doesNotExist,
  doubleEquals,
  endOfString,
  equals,
  greaterThan,
  identifier,
  inKeyword,
  lessThan,
  notEquals,
  notInKeyword,
  openPar,
  tokenize,
  type TokenKind,
} from './lexer.js';
import { compareStrings, newRequirement, sortByKey, type Operator, type Requirement } from './requirement.js';
import { createSelector, everything, type Selector } from './selector.js';

/** Go `strings.Join(binaryOperators, ", ")`, listed when an operator is missing. */
const binaryOperators = 'in, notin, =, ==, !=, gt, lt';

/** A parse failure; `parse` prefixes those raised inside a requirement. */
class SyntaxProblem {
  constructor(readonly message: string) {}
}

/** Go's Parser: a position over the scanned tokens, read in one of two contexts. */
class Parser {
  private position = 0;
  constructor(
    private readonly kinds: readonly TokenKind[],
    private readonly literals: readonly string[],
  ) {}

  /**
   * The current token. NB: in the `values` context (Go `Values`), `in` and `notin` are plain identifiers; only
   * where an operator is expected (Go `KeyAndOperator`) are they keywords. Where a token is only compared with
   * punctuation or the end, or dropped, the context makes no difference (marked as equivalent there).
   */
  lookahead(values: boolean): TokenKind {
    const kind = this.kinds[this.position]!;
    return values && (kind === inKeyword || kind === notInKeyword) ? identifier : kind;
  }

  literal(): string {
    return this.literals[this.position]!;
  }

  consume(values: boolean): TokenKind {
    const kind = this.lookahead(values);
    this.position++;
    return kind;
  }

  previousLiteral(): string {
    return this.literals[this.position - 1]!;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const kind = this.lookahead(true);
      if (kind === endOfString) return requirements;
      if (kind !== identifier && kind !== doesNotExist) {
        throw new SyntaxProblem(`found '${this.literal()}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        // Stryker disable next-line ConditionalExpression: equivalent, nothing inside throws anything else.
        if (error instanceof SyntaxProblem) throw new SyntaxProblem(`unable to parse requirement: ${error.message}`);
        throw error;
      }
      // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
      const next = this.consume(true);
      if (next === endOfString) return requirements;
      if (next !== comma)
        throw new SyntaxProblem(`found '${this.previousLiteral()}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after !== identifier && after !== doesNotExist) {
        throw new SyntaxProblem(`found '${this.literal()}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let operator: Operator | undefined;
    let kind = this.consume(true);
    if (kind === doesNotExist) {
      operator = '!';
      kind = this.consume(true);
    }
    const key = this.previousLiteral();
    if (kind !== identifier) throw new SyntaxProblem(`found '${key}', expected: identifier`);
    const problems = labelKeyProblems(key);
    // NB: the parser validates the key with a nil field path, which Go prints as `<nil>`.
    if (problems.length > 0) throw new SyntaxProblem(fieldInvalid('<nil>', goQuote(key), problems.join('; ')));
    // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
    const next = this.lookahead(true);
    if (operator === undefined && (next === endOfString || next === comma)) operator = 'exists';
    // NB: `!k` followed by anything but `,` or the end still yields `!k`; the caller then rejects the token.
    if (operator !== undefined) return this.requirement(key, operator, []);
    operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return this.requirement(key, operator, [...values].sort(compareStrings));
  }

  private requirement(key: string, operator: Operator, values: string[]): Requirement {
    // Stryker disable next-line BooleanLiteral: equivalent, the key was checked above; checking it again finds nothing.
    const result = newRequirement(key, operator, values, false);
    if (typeof result === 'string') throw new SyntaxProblem(result);
    return result;
  }

  private parseOperator(): Operator {
    switch (this.consume(false)) {
      case inKeyword:
        return 'in';
      case equals:
        return '=';
      case doubleEquals:
        return '==';
      case greaterThan:
        return 'gt';
      case lessThan:
        return 'lt';
      case notInKeyword:
        return 'notin';
      case notEquals:
        return '!=';
      default:
        throw new SyntaxProblem(`found '${this.previousLiteral()}', expected: ${binaryOperators}`);
    }
  }

  /** `( v, v, ... )`; `()` is the set `{""}` and empty items are `""`, as in Go. */
  private parseValues(): Set<string> {
    // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
    if (this.consume(true) !== openPar) throw new SyntaxProblem(`found '${this.previousLiteral()}' expected: '('`);
    const first = this.lookahead(true);
    if (first === closedPar) {
      // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
      this.consume(true);
      return new Set(['']);
    }
    if (first !== identifier && first !== comma) {
      throw new SyntaxProblem(`found '${this.literal()}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifiersList();
    // NB: the list only returns when `)` is next, so this always consumes it (Go checks it anyway).
    // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
    this.consume(true);
    return values;
  }

  private parseIdentifiersList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const kind = this.consume(true);
      if (kind === identifier) {
        values.add(this.previousLiteral());
        // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
        const next = this.lookahead(true);
        if (next === closedPar) return values;
        if (next !== comma) throw new SyntaxProblem(`found '${this.literal()}', expected: ',' or ')'`);
      } else if (kind === comma) {
        // NB: a comma at the start, before `)` or before another comma stands for an empty value (Go `(,`, `,)`, `,,`).
        if (values.size === 0) values.add('');
        // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
        const next = this.lookahead(true);
        if (next === closedPar) {
          values.add('');
          return values;
        }
        if (next === comma) values.add('');
      } else {
        throw new SyntaxProblem(`found '${this.previousLiteral()}', expected: ',', or identifier`);
      }
    }
  }

  /** The one value after `=`, `==`, `!=`, `>`, `<`; nothing before `,` or the end is the empty value. */
  private parseExactValue(): string[] {
    // Stryker disable next-line BooleanLiteral: equivalent, context (see lookahead).
    const next = this.lookahead(true);
    if (next === endOfString || next === comma) return [''];
    if (this.consume(true) === identifier) return [this.previousLiteral()];
    throw new SyntaxProblem(`found '${this.previousLiteral()}', expected: identifier`);
  }
}

/**
 * Go `labels.Parse(text)`. The empty string (or only whitespace) is {@link everything}. Throws
 * InvalidSelectorError with Go's message, e.g. `unable to parse requirement: found '', expected: identifier`.
 * Also throws, unlike Go, for text over 16 KiB.
 */
export function parseSelector(text: string): Selector {
  // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, a fast path; '' scans to nothing.
  if (text === '') return everything;
  checkLength('selector', text);
  const { kinds, literals } = tokenize(text);
  let requirements: Requirement[];
  try {
    requirements = new Parser(kinds, literals).parse();
  } catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, nothing inside throws anything else.
    if (error instanceof SyntaxProblem) throw new InvalidSelectorError(error.message);
    throw error;
  }
  return createSelector(sortByKey(requirements));
}
