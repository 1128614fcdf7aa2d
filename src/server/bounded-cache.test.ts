import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { InvalidSelectorError } from '../selector/index.js';
import { BoundedCache } from './bounded-cache.js';
import { Routes } from './routes.js';
import { selectorParam } from './selector-params.js';

describe('BoundedCache', () => {
  test('keeps at most maxEntries, clearing itself when full', () => {
    const cache = new BoundedCache<number>(3, 10);
    for (const [i, key] of ['a', 'b', 'c'].entries()) cache.set(key, i);
    assert.deepEqual(
      ['a', 'b', 'c'].map((k) => cache.get(k)),
      [0, 1, 2],
    );
    cache.set('d', 3);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => cache.get(k)),
      [undefined, undefined, undefined, 3],
    );
  });

  test('never keeps a key longer than maxKeyLength', () => {
    const cache = new BoundedCache<string>(10, 4);
    cache.set('abcd', 'kept');
    cache.set('abcde', 'dropped');
    assert.equal(cache.get('abcd'), 'kept');
    assert.equal(cache.get('abcde'), undefined);
  });
});

describe('Routes remembers matches', () => {
  test('a route added after a path was looked up is found, and a remembered match is the same route', () => {
    const routes = new Routes();
    routes.add('GET', '/things/:name', () => ({ code: 200 }));
    assert.equal(routes.find('GET', '/extra').kind, 'none');
    const first = routes.find('GET', '/things/a%2Ab');
    assert.equal(first.kind, 'route');
    assert.equal(first.kind === 'route' ? first.params.name : '', 'a*b');
    assert.equal(routes.find('GET', '/things/a%2Ab'), first);
    routes.add('GET', '/extra', () => ({ code: 204 }));
    assert.equal(routes.find('GET', '/extra').kind, 'route');
  });

  test('an undecodable path stays a bad URL on every lookup', () => {
    const routes = new Routes();
    routes.add('GET', '/things/:name', () => ({ code: 200 }));
    assert.equal(routes.find('GET', '/things/%E0%A4%A').kind, 'bad-url');
    assert.equal(routes.find('GET', '/things/%E0%A4%A').kind, 'bad-url');
  });
});

describe('selectorParam', () => {
  test('parses the named parameter, the same selector for the same query', () => {
    const query = 'labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&metricLabelSelector=';
    const selector = selectorParam(query, 'labelSelector');
    assert.equal(selector.toString(), 'app=web,tier in (a,b)');
    assert.equal(selectorParam(query, 'labelSelector'), selector);
    assert.equal(selectorParam(query, 'metricLabelSelector').isEmpty(), true);
    assert.equal(selectorParam('', 'labelSelector').isEmpty(), true);
  });

  test('a selector that does not parse throws on every request, not only the first', () => {
    for (let i = 0; i < 2; i++)
      assert.throws(() => selectorParam('labelSelector=a%3D%3D%3Db', 'labelSelector'), InvalidSelectorError);
  });
});
