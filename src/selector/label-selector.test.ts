import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LabelSelector } from '../api/types.js';
import { InvalidSelectorError } from './errors.js';
import { labelSelectorToSelector, toLabelSelector } from './label-selector.js';
import { parseSelector } from './parse-selector.js';
import { everything, selectorFromSet } from './selector.js';

const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
  "with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('toLabelSelector: null for the empty selector and for > and <, which a LabelSelector cannot hold', () => {
  assert.equal(toLabelSelector(everything), null);
  assert.equal(toLabelSelector(parseSelector('')), null);
  assert.equal(toLabelSelector(parseSelector('k>1')), null);
  assert.equal(toLabelSelector(parseSelector('a=b,k<1')), null);
});

test('toLabelSelector maps each operator as Go ParseToLabelSelector does', () => {
  const cases: [string, LabelSelector][] = [
    ['k=v', { matchLabels: { k: 'v' } }],
    ['k==v', { matchLabels: { k: 'v' } }],
    ['k=', { matchLabels: { k: '' } }],
    ['k in (b,a)', { matchExpressions: [{ key: 'k', operator: 'In', values: ['a', 'b'] }] }],
    ['k notin (a)', { matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['a'] }] }],
    ['k in ()', { matchExpressions: [{ key: 'k', operator: 'In', values: [''] }] }],
    ['k', { matchExpressions: [{ key: 'k', operator: 'Exists' }] }],
    ['!k', { matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }],
    // NB: Go rejects `!=` here; we write the equivalent NotIn with the one value
    ['k!=v', { matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] }],
    ['a=1,a=2', { matchLabels: { a: '2' } }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(toLabelSelector(parseSelector(text)), expected, text);
});

test('toLabelSelector writes matchLabels before matchExpressions and omits empty fields', () => {
  const mixed = toLabelSelector(parseSelector('!canary,tier=web,environment in (qa,production),app=x'));
  assert.equal(
    JSON.stringify(mixed),
    '{"matchLabels":{"app":"x","tier":"web"},"matchExpressions":[{"key":"canary","operator":"DoesNotExist"},' +
      '{"key":"environment","operator":"In","values":["production","qa"]}]}',
  );
  assert.equal(
    JSON.stringify(toLabelSelector(parseSelector('b,a'))),
    '{"matchExpressions":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}',
  );
  assert.equal(JSON.stringify(toLabelSelector(parseSelector('b=1,a=2'))), '{"matchLabels":{"a":"2","b":"1"}}');
});

test('toLabelSelector drops duplicate values and never sets a prototype', () => {
  const fromApi = labelSelectorToSelector({
    matchExpressions: [{ key: 'k', operator: 'In', values: ['b', 'a', 'b'] }],
  });
  assert.equal(fromApi.toString(), 'k in (a,b,b)');
  assert.deepEqual(toLabelSelector(fromApi), { matchExpressions: [{ key: 'k', operator: 'In', values: ['a', 'b'] }] });
  const odd = toLabelSelector(selectorFromSet(JSON.parse('{"__proto__":"x"}') as Record<string, string>));
  assert.equal(Object.getPrototypeOf(odd!.matchLabels), Object.prototype);
  assert.equal(JSON.stringify(odd), '{"matchLabels":{"__proto__":"x"}}');
});

test('labelSelectorToSelector rejects invalid selectors with Go messages', () => {
  const cases: [LabelSelector, string][] = [
    [
      { matchExpressions: [{ key: 'k', operator: 'Gt' as never, values: ['1'] }] },
      '"Gt" is not a valid label selector operator',
    ],
    [
      { matchExpressions: [{ key: 'k', operator: 'In' }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'k', operator: 'NotIn', values: [] }] },
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['a'] }] },
      'values: Invalid value: ["a"]: values set must be empty for exists and does not exist',
    ],
    [{ matchLabels: { k: 'a b' } }, `values[0][k]: Invalid value: "a b": ${valueRule}`],
    [{ matchLabels: { k: 'ok', '/k': 'ok' } }, 'key: Invalid value: "/k": prefix part must be non-empty'],
    [
      { matchExpressions: [{ key: 'k', operator: 'In', values: ['ok', '-x'] }] },
      `values[1][k]: Invalid value: "-x": ${valueRule}`,
    ],
  ];
  for (const [labelSelector, message] of cases) {
    assert.throws(
      () => labelSelectorToSelector(labelSelector),
      (error: unknown) => {
        assert.ok(error instanceof InvalidSelectorError);
        assert.equal(error.message, message);
        return true;
      },
    );
  }
});

test('labelSelectorToSelector: a missing or empty LabelSelector selects everything', () => {
  assert.equal(labelSelectorToSelector(null), everything);
  assert.equal(labelSelectorToSelector(undefined), everything);
  assert.equal(labelSelectorToSelector({}), everything);
  assert.equal(labelSelectorToSelector({ matchLabels: {}, matchExpressions: [] }), everything);
});

test('labelSelectorToSelector renders as the HPA sends it (spec §1.7)', () => {
  const selector = labelSelectorToSelector({
    matchLabels: { tier: 'web', app: 'x' },
    matchExpressions: [
      { key: 'release', operator: 'NotIn', values: ['beta', 'alpha'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'environment', operator: 'In', values: ['qa', 'production'] },
      { key: 'partition', operator: 'Exists' },
    ],
  });
  assert.equal(
    selector.toString(),
    'app=x,!canary,environment in (production,qa),partition,release notin (alpha,beta),tier=web',
  );
  assert.equal(selector.matches({ app: 'x', tier: 'web', environment: 'qa', partition: '1' }), true);
  assert.equal(selector.matches({ app: 'x', tier: 'web', environment: 'qa', partition: '1', canary: '' }), false);
  assert.equal(parseSelector(selector.toString()).toString(), selector.toString());
  // NB: a matchLabels entry and an expression on one key keep that order, as in Go's Add for short selectors
  const both = labelSelectorToSelector({
    matchLabels: { k: 'a' },
    matchExpressions: [{ key: 'k', operator: 'Exists' }],
  });
  assert.equal(both.toString(), 'k=a,k');
});
