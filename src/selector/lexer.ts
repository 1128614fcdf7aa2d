/**
 * The selector lexer, matching apimachinery `pkg/labels/selector.go` `Lexer` token for token, including its
 * quirks: whitespace is only space, tab, CR and LF; `in`/`notin` are keywords only where the parser asks for
 * an operator; a NUL byte reads as the end of the string.
 * @module
 */

export const endOfString = 0;
export const closedPar = 1;
export const comma = 2;
export const doesNotExist = 3;
export const doubleEquals = 4;
export const equals = 5;
export const greaterThan = 6;
export const identifier = 7;
export const inKeyword = 8;
export const lessThan = 9;
export const notEquals = 10;
export const notInKeyword = 11;
export const openPar = 12;

export type TokenKind = number;

/** The scanned input: parallel arrays of kinds and literals, always ending with {@link endOfString}. */
export interface Tokens {
  readonly kinds: TokenKind[];
  readonly literals: string[];
}

const symbolTokens: ReadonlyMap<string, TokenKind> = new Map([
  [')', closedPar],
  [',', comma],
  ['!', doesNotExist],
  ['==', doubleEquals],
  ['=', equals],
  ['>', greaterThan],
  ['<', lessThan],
  ['!=', notEquals],
  ['(', openPar],
]);

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10;
}

/** `= ! ( ) , > <` */
function isSpecial(code: number): boolean {
  return code === 61 || code === 33 || code === 40 || code === 41 || code === 44 || code === 62 || code === 60;
}

/**
 * Scans all of `text` (Go `Parser.scan`). NB: the `pos < length` checks before `charCodeAt(pos)` are for clarity:
 * `charCodeAt` past the end is NaN, which is no whitespace, special or NUL, so mutants of them are equivalent.
 */
export function tokenize(text: string): Tokens {
  const kinds: TokenKind[] = [];
  const literals: string[] = [];
  const length = text.length;
  let pos = 0;
  for (;;) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, NaN past the end (see above).
    while (pos < length && isWhitespace(text.charCodeAt(pos))) pos++;
    // NB: Go's `read()` returns 0 at the end and for a NUL byte alike, so a NUL where a token could start ends
    // the input (Go `Lex`); one that ends a token is consumed with it.
    if (pos >= length || text.charCodeAt(pos) === 0) {
      kinds.push(endOfString);
      literals.push('');
      return { kinds, literals };
    }
    const start = pos;
    if (isSpecial(text.charCodeAt(pos))) {
      // NB: Go keeps the longest run of specials that is a token and stops at the first longer run that is
      // not, so `!==` is `!=` then `=`, and `=!` is `=` then `!`. Every single special is a token.
      pos++;
      let kind = symbolTokens.get(text[start]!)!;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: equivalent, NaN past the
      // end (see above); no token is a special followed by a non-special.
      while (pos < length && isSpecial(text.charCodeAt(pos))) {
        const longer = symbolTokens.get(text.slice(start, pos + 1));
        if (longer === undefined) break;
        kind = longer;
        pos++;
      }
      kinds.push(kind);
      literals.push(text.slice(start, pos));
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, NaN past the end (see above).
      if (pos < length && text.charCodeAt(pos) === 0) pos++;
    } else {
      // Stryker disable next-line EqualityOperator: equivalent, NaN past the end (see above): one
      // step past the end adds nothing to the literal and the next scan ends the input.
      while (pos < length) {
        const code = text.charCodeAt(pos);
        if (code === 0 || isSpecial(code) || isWhitespace(code)) break;
        pos++;
      }
      const literal = text.slice(start, pos);
      kinds.push(literal === 'in' ? inKeyword : literal === 'notin' ? notInKeyword : identifier);
      literals.push(literal);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, NaN past the end (see above).
      if (pos < length && text.charCodeAt(pos) === 0) pos++;
    }
  }
}
