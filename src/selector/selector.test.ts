import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Labels } from '../api/types.js';
import { parseSelector } from './parse-selector.js';
import { everything, selectorFromSet } from './selector.js';

/** [selector, labels, expected match]: one row per behaviour. */
type Row = [string, Labels, boolean];

function check(rows: readonly Row[]): void {
  for (const [text, labels, expected] of rows) {
    assert.equal(parseSelector(text).matches(labels), expected, `${text} on ${JSON.stringify(labels)}`);
  }
}

test('matches: a required label that is absent fails =, ==, in, exists, > and <', () => {
  check([
    ['k=v', {}, false],
    ['k==v', { other: 'v' }, false],
    ['k=', {}, false],
    ['k in (a,b)', {}, false],
    ['k in ()', {}, false],
    ['k', { x: 'k' }, false],
    ['k>1', {}, false],
    ['k<1', {}, false],
  ]);
});

test('matches: an absent label satisfies !=, notin and !', () => {
  check([
    ['k!=v', {}, true],
    ['k!=', {}, true],
    ['k notin (a,b)', {}, true],
    ['k notin (a)', {}, true],
    ['!k', { x: 'k' }, true],
  ]);
});

test('matches: > and < fail when the label value is not an int64', () => {
  check([
    ['k>1', { k: 'abc' }, false],
    ['k<100', { k: 'abc' }, false],
    ['k>1', { k: '' }, false],
    ['k>1', { k: '2.5' }, false],
    ['k>1', { k: ' 2' }, false],
    ['k>1', { k: '1e3' }, false],
    ['k<100', { k: '0x10' }, false],
    ['k>1', { k: '9223372036854775808' }, false],
    ['k<1', { k: '-9223372036854775809' }, false],
  ]);
});

test('matches: each operator on a present label', () => {
  check([
    ['k=v', { k: 'v' }, true],
    ['k=v', { k: 'w' }, false],
    ['k==v', { k: 'v' }, true],
    ['k=', { k: '' }, true],
    ['k=', { k: 'v' }, false],
    ['k!=v', { k: 'w' }, true],
    ['k!=v', { k: 'v' }, false],
    ['k in (a)', { k: 'a' }, true],
    ['k in (a,b,c)', { k: 'b' }, true],
    ['k in (a,b,c)', { k: 'd' }, false],
    ['k in (,a)', { k: '' }, true],
    ['k in ()', { k: '' }, true],
    ['k in ()', { k: 'a' }, false],
    ['k notin (a,b)', { k: 'a' }, false],
    ['k notin (a,b)', { k: 'c' }, true],
    ['k notin ()', { k: '' }, false],
    ['k notin ()', { k: 'a' }, true],
    ['k', { k: '' }, true],
    ['!k', { k: '' }, false],
    ['k>1', { k: '2' }, true],
    ['k>1', { k: '1' }, false],
    ['k>1', { k: '-5' }, false],
    ['k>1', { k: '+2' }, true],
    ['k>1', { k: '002' }, true],
    ['k<1', { k: '0' }, true],
    ['k<1', { k: '-9223372036854775808' }, true],
    ['k<1', { k: '1' }, false],
    ['k>9007199254740992', { k: '9007199254740993' }, true],
    ['k<9007199254740993', { k: '9007199254740992' }, true],
    ['k>9007199254740993', { k: '9007199254740993' }, false],
  ]);
});

test('matches: requirements are ANDed, including two on one key', () => {
  check([
    ['a=1,b=2', { a: '1', b: '2' }, true],
    ['a=1,b=2', { a: '1', b: '3' }, false],
    ['a=1,b=2', { a: '1' }, false],
    ['a,a!=1', { a: '2' }, true],
    ['a,a!=1', { a: '1' }, false],
    ['a>1,a<5', { a: '3' }, true],
    ['a>1,a<5', { a: '5' }, false],
    ['environment in (production,qa),!canary', { environment: 'qa' }, true],
    ['environment in (production,qa),!canary', { environment: 'qa', canary: 'true' }, false],
    ['partition,release notin (beta)', { partition: 'p1', release: 'stable' }, true],
    ['partition,release notin (beta)', { partition: 'p1', release: 'beta' }, false],
    ['x in (foo,,baz),y,z notin ()', { x: '', y: 'y' }, true],
    ['x in (foo,,baz),y,z notin ()', { x: 'bar', y: 'y' }, false],
  ]);
});

test('matches: keys that name Object.prototype members are ordinary labels', () => {
  check([
    ['constructor', {}, false],
    ['!constructor', {}, true],
    ['toString=x', {}, false],
    ['toString!=x', {}, true],
    ['hasOwnProperty in (a,b)', {}, false],
    ['valueOf notin (a,b)', {}, true],
    ['constructor', { constructor: 'x' }, true],
    ['constructor=x', { constructor: 'x' }, true],
  ]);
});

test('everything matches any label set and prints as empty', () => {
  assert.equal(everything.matches({}), true);
  assert.equal(everything.matches({ a: 'b' }), true);
  assert.equal(everything.isEmpty(), true);
  assert.equal(everything.toString(), '');
  assert.equal(parseSelector('a').isEmpty(), false);
});

test('selectorFromSet is k=v per label, sorted by key, without validation', () => {
  const selector = selectorFromSet({ z: '1', a: 'x y', '10': 'n', '9': 'm' });
  assert.equal(selector.toString(), '10=n,9=m,a=x y,z=1');
  assert.deepEqual(selector.requirements[0], { key: '10', operator: '=', values: ['n'] });
  assert.equal(selector.matches({ z: '1', a: 'x y', '10': 'n', '9': 'm', extra: 'e' }), true);
  assert.equal(selector.matches({ z: '1', a: 'x y', '10': 'n' }), false);
  assert.equal(selectorFromSet({}), everything);
});

test('requirements are frozen so a caller cannot change a shared selector', () => {
  const selector = parseSelector('k in (a,b)');
  assert.equal(Object.isFrozen(selector.requirements), true);
  assert.equal(Object.isFrozen(selector.requirements[0]), true);
  assert.equal(Object.isFrozen(selector.requirements[0]!.values), true);
});
