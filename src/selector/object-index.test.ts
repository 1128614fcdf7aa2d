import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Labels } from '../api/types.js';
import { LabelPostings } from './label-postings.js';
import { mostSelectiveCandidates, ObjectIndex } from './object-index.js';
import { parseSelector } from './parse-selector.js';

/** The candidate names, flattened and sorted, or undefined when the index does not narrow the search. */
function candidateNames(index: ObjectIndex, selector: string, limit = 100): string[] | undefined {
  const sets = index.candidates(parseSelector(selector), limit);
  return sets === undefined ? undefined : sets.flatMap((set) => [...set]).sort();
}

test('LabelPostings: get of a pair never added is undefined', () => {
  const postings = new LabelPostings<string>();
  assert.equal(postings.get('app', 'web'), undefined);
});

test('LabelPostings: add files an item under each of its labels, and only under those', () => {
  const postings = new LabelPostings<string>();
  postings.add('a', { app: 'web', tier: 'front' });
  postings.add('b', { app: 'web' });
  assert.deepEqual([...postings.get('app', 'web')!].sort(), ['a', 'b']);
  assert.deepEqual([...postings.get('tier', 'front')!], ['a']);
  assert.equal(postings.get('app', 'db'), undefined);
  assert.equal(postings.get('tier', 'web'), undefined);
});

test('LabelPostings: key and value do not run together (a=bc is not ab=c)', () => {
  const postings = new LabelPostings<string>();
  postings.add('x', { a: 'bc' });
  assert.equal(postings.get('ab', 'c'), undefined);
  assert.deepEqual([...postings.get('a', 'bc')!], ['x']);
});

test('LabelPostings: remove takes the item out and drops a posting that empties', () => {
  const postings = new LabelPostings<string>();
  postings.add('a', { app: 'web' });
  postings.add('b', { app: 'web' });
  postings.remove('a', { app: 'web', never: 'added' });
  assert.deepEqual([...postings.get('app', 'web')!], ['b']);
  postings.remove('b', { app: 'web' });
  assert.equal(postings.get('app', 'web'), undefined);
  // NB: a posting dropped when empty is created afresh when the label comes back.
  postings.add('c', { app: 'web' });
  assert.deepEqual([...postings.get('app', 'web')!], ['c']);
});

test('ObjectIndex: retain adds an object once, release removes it with its last series', () => {
  const index = new ObjectIndex();
  assert.equal(index.size, 0);
  index.retain('p1', { app: 'web' });
  index.retain('p1', undefined);
  assert.equal(index.size, 1);
  assert.deepEqual([...index.names()], ['p1']);
  assert.deepEqual(index.labelsOf('p1'), { app: 'web' });
  index.release('p1');
  assert.equal(index.size, 1, 'one series still refers to p1');
  assert.deepEqual(candidateNames(index, 'app=web'), ['p1']);
  index.release('p1');
  assert.equal(index.size, 0);
  assert.equal(index.labelsOf('p1'), undefined);
  assert.deepEqual(candidateNames(index, 'app=web'), []);
  index.release('p1');
  assert.equal(index.size, 0, 'releasing an unknown object is a no-op');
});

test('ObjectIndex: an object retained without labels has none', () => {
  const index = new ObjectIndex();
  index.retain('p1', undefined);
  assert.deepEqual(index.labelsOf('p1'), {});
});

test('ObjectIndex: the generation moves when an object comes, goes or changes labels, and only then', () => {
  const index = new ObjectIndex();
  const web: Labels = { app: 'web' };
  let seen = index.generation;
  const moved = (): boolean => {
    const changed = index.generation !== seen;
    seen = index.generation;
    return changed;
  };
  index.retain('p1', web);
  assert.equal(moved(), true, 'new object');
  index.retain('p1', web);
  assert.equal(moved(), false, 'same labels object');
  index.retain('p1', undefined);
  assert.equal(moved(), false, 'labels kept');
  index.update('p1', web);
  assert.equal(moved(), false, 'update with the same labels');
  index.update('p1', { app: 'db' });
  assert.equal(moved(), true, 'update with new labels');
  index.update('missing', { app: 'db' });
  assert.equal(moved(), false, 'update of an unknown object');
  assert.equal(index.labelsOf('missing'), undefined);
  index.release('p1');
  index.release('p1');
  assert.equal(moved(), false, 'a series remains');
  index.release('p1');
  assert.equal(moved(), true, 'object gone');
});

test('ObjectIndex: relabelling moves the object between postings', () => {
  const index = new ObjectIndex();
  index.retain('p1', { app: 'web' });
  index.retain('p1', { app: 'db' });
  assert.deepEqual(candidateNames(index, 'app=web'), []);
  assert.deepEqual(candidateNames(index, 'app=db'), ['p1']);
  index.update('p1', { app: 'cache' });
  assert.deepEqual(candidateNames(index, 'app=db'), []);
  assert.deepEqual(candidateNames(index, 'app=cache'), ['p1']);
  assert.deepEqual(index.labelsOf('p1'), { app: 'cache' });
});

test('ObjectIndex: candidates come from the most selective =, == or in requirement', () => {
  const index = new ObjectIndex();
  index.retain('a', { app: 'web', tier: 'front', zone: 'x' });
  index.retain('b', { app: 'web', tier: 'back', zone: 'x' });
  index.retain('c', { app: 'web', tier: 'back', zone: 'y' });
  index.retain('d', { app: 'db', zone: 'y' });
  assert.deepEqual(candidateNames(index, 'app=web,tier=front'), ['a']);
  assert.deepEqual(candidateNames(index, 'app==web,zone=y'), ['c', 'd']);
  assert.deepEqual(candidateNames(index, 'app in (db,none),tier in (back,front)'), ['d']);
  assert.deepEqual(candidateNames(index, 'tier in (front,back)'), ['a', 'b', 'c']);
  // NB: a requirement nobody has gives no candidates at all, the most selective answer.
  assert.deepEqual(candidateNames(index, 'app=web,tier=middle'), []);
});

test('ObjectIndex: !=, notin, exists, !, > and < never narrow the search', () => {
  const index = new ObjectIndex();
  index.retain('a', { app: 'web', n: '5' });
  for (const selector of ['app!=db', 'app notin (db)', 'app', '!tier', 'n>1', 'n<9', '']) {
    assert.equal(candidateNames(index, selector), undefined, selector);
  }
});

test('ObjectIndex: a candidate list as large as the limit is not worth it', () => {
  const index = new ObjectIndex();
  index.retain('a', { app: 'web' });
  index.retain('b', { app: 'web' });
  assert.equal(candidateNames(index, 'app=web', 2), undefined);
  assert.deepEqual(candidateNames(index, 'app=web', 3), ['a', 'b']);
});

test('mostSelectiveCandidates: sizes add up over an in list, and the smallest total wins', () => {
  const groups: Record<string, number[][]> = {
    'k=a': [[1, 2, 3]],
    'k=b': [[4]],
    'j=x': [[5, 6], [7]],
  };
  const lookup = (key: string, value: string): number[][] | undefined => groups[`${key}=${value}`];
  const size = (group: number[]): number => group.length;
  // k in (a,b): 3 + 1 = 4 items; j=x: 2 + 1 = 3 items, so j=x wins.
  assert.deepEqual(mostSelectiveCandidates(parseSelector('j=x,k in (a,b)'), 100, lookup, size), [[5, 6], [7]]);
  assert.deepEqual(mostSelectiveCandidates(parseSelector('j=x,k=b'), 100, lookup, size), [[4]]);
  assert.equal(mostSelectiveCandidates(parseSelector('j=x'), 3, lookup, size), undefined);
  assert.deepEqual(mostSelectiveCandidates(parseSelector('j=x'), 4, lookup, size), [[5, 6], [7]]);
});

test('mostSelectiveCandidates: of two equally selective requirements the first (by key) wins', () => {
  const lookup = (key: string): string[] | undefined => [key];
  const found = mostSelectiveCandidates(parseSelector('b=1,a=1'), 100, lookup, () => 1);
  assert.deepEqual(found, ['a']);
});
