import assert from 'node:assert/strict';
import { test } from 'node:test';
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
} from './lexer.js';

const names: Record<number, string> = {
  [endOfString]: 'end',
  [closedPar]: ')',
  [comma]: ',',
  [doesNotExist]: '!',
  [doubleEquals]: '==',
  [equals]: '=',
  [greaterThan]: '>',
  [identifier]: 'id',
  [inKeyword]: 'in',
  [lessThan]: '<',
  [notEquals]: '!=',
  [notInKeyword]: 'notin',
  [openPar]: '(',
};

/** `kind:literal` per token, the end token left out. */
function scan(text: string): string[] {
  const { kinds, literals } = tokenize(text);
  assert.equal(kinds.at(-1), endOfString, 'the scan always ends with the end token');
  return kinds.slice(0, -1).map((kind, i) => `${names[kind]}:${literals[i]}`);
}

test('lexer: a run of specials is cut at the first longer run that is not a token', () => {
  const cases: [string, string[]][] = [
    ['!==', ['!=:!=', '=:=']],
    ['=!', ['=:=', '!:!']],
    ['===', ['==:==', '=:=']],
    ['>=', ['>:>', '=:=']],
    ['<=', ['<:<', '=:=']],
    ['!!a', ['!:!', '!:!', 'id:a']],
    ['(),', ['(:(', '):)', ',:,']],
  ];
  for (const [text, tokens] of cases) assert.deepEqual(scan(text), tokens, text);
});

test('lexer: a NUL where a token may start ends the input; one after a token is consumed with it', () => {
  assert.deepEqual(scan('a=b \0c=d'), ['id:a', '=:=', 'id:b']);
  assert.deepEqual(scan('a, \0b'), ['id:a', ',:,']);
  assert.deepEqual(scan('a,\0b'), ['id:a', ',:,', 'id:b']);
  assert.deepEqual(scan('a\0b'), ['id:a', 'id:b']);
  assert.deepEqual(scan('a=\0b'), ['id:a', '=:=', 'id:b']);
});

test('lexer: only space, tab, CR and LF separate tokens', () => {
  assert.deepEqual(scan(' \t\r\na \n'), ['id:a']);
  assert.deepEqual(scan('a\vb'), ['id:a\vb']);
  assert.deepEqual(scan('a\u00a0b'), ['id:a\u00a0b']);
});

test('lexer: single tokens as Go lexes them', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['   ', []],
    [',', [',:,']],
    ['notin', ['notin:notin']],
    ['in', ['in:in']],
    ['=', ['=:=']],
    ['==', ['==:==']],
    ['>', ['>:>']],
    ['<', ['<:<']],
    ['!', ['!:!']],
    ['!=', ['!=:!=']],
    ['(', ['(:(']],
    [')', ['):)']],
    ['~', ['id:~']],
    ['||', ['id:||']],
    ['inx', ['id:inx']],
  ];
  for (const [text, tokens] of cases) assert.deepEqual(scan(text), tokens, text);
});

test('lexer: token sequences as Go lexes them', () => {
  const cases: [string, string[]][] = [
    ['key in ( value )', ['id:key', 'in:in', '(:(', 'id:value', '):)']],
    ['key notin ( value1, value2 )', ['id:key', 'notin:notin', '(:(', 'id:value1', ',:,', 'id:value2', '):)']],
    ['!key', ['!:!', 'id:key']],
    ['x in (),y', ['id:x', 'in:in', '(:(', '):)', ',:,', 'id:y']],
    ['== != (), = notin', ['==:==', '!=:!=', '(:(', '):)', ',:,', '=:=', 'notin:notin']],
    ['key>2', ['id:key', '>:>', 'id:2']],
    ['key<1', ['id:key', '<:<', 'id:1']],
    ['a.b/c-d_e=f', ['id:a.b/c-d_e', '=:=', 'id:f']],
  ];
  for (const [text, tokens] of cases) assert.deepEqual(scan(text), tokens, text);
});
