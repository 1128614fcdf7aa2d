import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSelectorError } from './errors.js';
import { labelSetKey, parseLabelSet } from './label-set.js';

const nameRule =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
  "with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

test('parseLabelSet rejects what Go ConvertSelectorToLabelsMap rejects, naming the item that is not key=value', () => {
  const cases: [string, string][] = [
    ['a', '"a" is not key=value'],
    ['a=b,', 'an empty item (a stray ",") is not key=value'],
    [',a=b', 'an empty item (a stray ",") is not key=value'],
    ['a=1, ,b=2', 'an empty item (a stray ",") is not key=value'],
    ['a=b=c', '"a=b=c" is not key=value'],
    ['x=1,a=b=c', '"a=b=c" is not key=value'],
    ['a===b', '"a===b" is not key=value'],
    ['a in (b)', '"a in (b)" is not key=value'],
    ['a!=b', `<nil>: Invalid value: "a!": name part ${nameRule}`],
    ['bad key=1', `<nil>: Invalid value: "bad key": name part ${nameRule}`],
    ['=b', `<nil>: Invalid value: "": name part must be non-empty; name part ${nameRule}`],
    ['k=a b', `[k]: Invalid value: "a b": ${valueRule}`],
    [`k=${'v'.repeat(64)}`, `[k]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`],
    ['a=1,b=2,a=3', 'duplicate label key "a"'],
    ['a=1, a =2', 'duplicate label key "a"'],
    [`k=${'v,'.repeat(8200)}`, 'label set is too long: 16402 characters, the limit is 16384'],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseLabelSet(text),
      (error: unknown) => {
        assert.ok(error instanceof InvalidSelectorError);
        assert.equal(error.message, message, text);
        return true;
      },
    );
  }
});

test('parseLabelSet reads k=v pairs, trimming spaces as Go TrimSpace does', () => {
  const cases: [string, Record<string, string>][] = [
    ['', {}],
    ['a=b', { a: 'b' }],
    ['app=web,tier=front', { app: 'web', tier: 'front' }],
    [' a = b , c=', { a: 'b', c: '' }],
    ['\u0085a=b\u0085', { a: 'b' }],
    ['example.com/k=V_1.2-x', { 'example.com/k': 'V_1.2-x' }],
    // NB: unlike Go, `==` is accepted as `=`
    ['a==b,c=d', { a: 'b', c: 'd' }],
    ['constructor=x', { constructor: 'x' }],
  ];
  for (const [text, labels] of cases) assert.deepEqual(parseLabelSet(text), labels, text);
  assert.throws(() => parseLabelSet('\ufeffa=b'), InvalidSelectorError, 'Go TrimSpace keeps U+FEFF');
});

test('labelSetKey is canonical and never confuses two label sets', () => {
  assert.equal(labelSetKey({}), '');
  assert.equal(labelSetKey({ a: '1' }), 'a=1');
  assert.equal(labelSetKey({ b: '2', a: '1', '10': 'x', '9': 'y' }), '10=x,9=y,a=1,b=2');
  assert.equal(labelSetKey({ a: '1', b: '2' }), labelSetKey({ b: '2', a: '1' }));
  assert.equal(labelSetKey({ a: '' }), 'a=');
  assert.notEqual(labelSetKey({ a: 'b,c=d' }), labelSetKey({ a: 'b', c: 'd' }));
  assert.notEqual(labelSetKey({ 'a=b': 'c' }), labelSetKey({ a: 'b=c' }));
  assert.notEqual(labelSetKey({ a: 'x\\', b: 'y' }), labelSetKey({ a: 'x\\,b=y' }));
  assert.equal(labelSetKey({ a: 'b,c=d\\' }), 'a=b\\,c\\=d\\\\');
});
