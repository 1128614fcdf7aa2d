import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidSelectorError } from './errors.js';
import { parseSelector } from './parse-selector.js';
import { everything } from './selector.js';

const valueRule =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end " +
  "with an alphanumeric character (e.g. 'MyValue' or 'my_value' or '12345', regex used for validation is " +
  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const nameRule =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName' or 'my.name' or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const operators = 'in, notin, =, ==, !=, gt, lt';
const req = 'unable to parse requirement: ';

function rejects(text: string, message: string): void {
  assert.throws(
    () => parseSelector(text),
    (error: unknown) => {
      assert.ok(error instanceof InvalidSelectorError, 'an InvalidSelectorError');
      assert.equal(error.message, message, JSON.stringify(text));
      assert.equal(error.code, 400);
      assert.equal(error.reason, 'BadRequest');
      assert.equal(error.name, 'InvalidSelectorError');
      return true;
    },
  );
}

test('parseSelector rejects broken syntax with Go labels.Parse messages', () => {
  const cases: [string, string][] = [
    ['==a', "found '==', expected: !, identifier, or 'end of string'"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['(a)', "found '(', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a,=b', "found '=', expected: identifier after ','"],
    ['a b', `${req}found 'b', expected: ${operators}`],
    ['a (b)', `${req}found '(', expected: ${operators}`],
    ['a !b', `${req}found '!', expected: ${operators}`],
    ['!', `${req}found '', expected: identifier`],
    ['!,a', `${req}found ',', expected: identifier`],
    ['!=a', "found '!=', expected: !, identifier, or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['!a in (b)', "found 'in', expected: ',' or 'end of string'"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['k=a b', "found 'b', expected: ',' or 'end of string'"],
    ['k=(a)', `${req}found '(', expected: identifier`],
    ['k=!', `${req}found '!', expected: identifier`],
    ['k in', `${req}found '' expected: '('`],
    ['k notin', `${req}found '' expected: '('`],
    ['k in a', `${req}found 'a' expected: '('`],
    ['k in a)', `${req}found 'a' expected: '('`],
    ['k in (a', `${req}found '', expected: ',' or ')'`],
    ['k in (a b)', `${req}found 'b', expected: ',' or ')'`],
    ['k in ((a)', `${req}found '(', expected: ',', ')' or identifier`],
    ['k in (', `${req}found '', expected: ',', ')' or identifier`],
    ['k in (a,', `${req}found '', expected: ',', or identifier`],
    ['k in (a,=)', `${req}found '=', expected: ',', or identifier`],
    ['k in (a))', "found ')', expected: ',' or 'end of string'"],
    ['k in (a),', "found '', expected: identifier after ','"],
  ];
  for (const [text, message] of cases) rejects(text, message);
});

test('parseSelector rejects invalid keys and values with Go validation messages', () => {
  const long = 'a'.repeat(64);
  const cases: [string, string][] = [
    ['Bad_Key_=1', `${req}<nil>: Invalid value: "Bad_Key_": name part ${nameRule}`],
    ['-a', `${req}<nil>: Invalid value: "-a": name part ${nameRule}`],
    [`${long}=1`, `${req}<nil>: Invalid value: "${long}": name part must be no more than 63 bytes`],
    ['/a', `${req}<nil>: Invalid value: "/a": prefix part must be non-empty`],
    ['a/', `${req}<nil>: Invalid value: "a/": name part must be non-empty; name part ${nameRule}`],
    [
      'a/b/c',
      `${req}<nil>: Invalid value: "a/b/c": a valid label key ${nameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      '!Ex.com/a',
      `${req}<nil>: Invalid value: "Ex.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    ['k"q=1', `${req}<nil>: Invalid value: "k\\"q": name part ${nameRule}`],
    [`k=${long}`, `${req}values[0][k]: Invalid value: "${long}": must be no more than 63 bytes`],
    [`k=-${long}`, `${req}values[0][k]: Invalid value: "-${long}": must be no more than 63 bytes; ${valueRule}`],
    ['k=a||b', `${req}values[0][k]: Invalid value: "a||b": ${valueRule}`],
    ['k in (ok,_bad)', `${req}values[0][k]: Invalid value: "_bad": ${valueRule}`],
    [
      'k in (z,_b,_a)',
      `${req}[values[0][k]: Invalid value: "_a": ${valueRule}, values[1][k]: Invalid value: "_b": ${valueRule}]`,
    ],
    ['k=é', `${req}values[0][k]: Invalid value: "é": ${valueRule}`],
  ];
  for (const [text, message] of cases) rejects(text, message);
});

test('parseSelector rejects > and < without an int64 label value', () => {
  const integer = "for 'Gt', 'Lt' operators, the value must be an integer";
  const cases: [string, string][] = [
    ['x<a', `${req}values[0]: Invalid value: "a": ${integer}`],
    ['x>', `${req}values[0]: Invalid value: "": ${integer}`],
    ['x>1.5', `${req}values[0]: Invalid value: "1.5": ${integer}`],
    ['x>9223372036854775808', `${req}values[0]: Invalid value: "9223372036854775808": ${integer}`],
    // NB: a negative bound parses as an integer but is not a valid label value, so Go rejects it.
    ['x>-1', `${req}values[0][x]: Invalid value: "-1": ${valueRule}`],
    ['x>+1', `${req}values[0][x]: Invalid value: "+1": ${valueRule}`],
    ['x<-1x', `${req}[values[0]: Invalid value: "-1x": ${integer}, values[0][x]: Invalid value: "-1x": ${valueRule}]`],
  ];
  for (const [text, message] of cases) rejects(text, message);
});

test('parseSelector bounds the input length', () => {
  rejects(`k in (${'a,'.repeat(8192)}a)`, 'selector is too long: 16392 characters, the limit is 16384');
  assert.equal(parseSelector(`k in (${'a,'.repeat(8000)}a)`).toString(), 'k in (a)');
});

test('parseSelector: empty or blank text is the everything selector', () => {
  assert.equal(parseSelector(''), everything);
  for (const text of ['', ' ', '\t\r\n']) {
    const selector = parseSelector(text);
    assert.equal(selector.isEmpty(), true);
    assert.equal(selector.toString(), '');
    assert.deepEqual(selector.requirements, []);
  }
});

test('parseSelector accepts the grammar and prints Go canonical String()', () => {
  const cases: [string, string][] = [
    // spec §6 examples
    ['app=web,tier!=db', 'app=web,tier!=db'],
    ['environment in (production,qa),!canary', '!canary,environment in (production,qa)'],
    ['partition,release notin (beta)', 'partition,release notin (beta)'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    // Go selector_test.go TestSelectorParse good strings: spaces removed
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ', 'x='],
    ['x=,z= ', 'x=,z='],
    ['x= ,z= ', 'x=,z='],
    ['!x', '!x'],
    ['x>1', 'x>1'],
    ['x>1,z<5', 'x>1,z<5'],
    // sorting: by key, values sorted, duplicates dropped, `==` kept
    ['z=1,a=2,m=3', 'a=2,m=3,z=1'],
    ['k in (c,a,b,a)', 'k in (a,b,c)'],
    ['k==v', 'k==v'],
    ['b==1,a=2', 'a=2,b==1'],
    ['x<007', 'x<007'],
    // whitespace is free between tokens
    // NB: sorted by key, and the key of `!c` is `c`
    ['  a  =  b  ,  !  c  ,  d  in  (  e  ,  f  )  ', 'a=b,!c,d in (e,f)'],
    ['a\tin\n(b)\r', 'a in (b)'],
    ['k in(a),j notin(b)', 'j notin (b),k in (a)'],
    // in/notin are identifiers where no operator is expected
    ['in in (in,notin)', 'in in (in,notin)'],
    ['notin=in', 'notin=in'],
    ['a,in', 'a,in'],
    ['k=notin', 'k=notin'],
    // NB: after `!` the key is read as a value (Go parseKeyAndInferOperator consumes it in the Values context)
    ['!in', '!in'],
    ['!notin,a', 'a,!notin'],
    // empty values
    ['k in ()', 'k in ()'],
    ['k in (,)', 'k in ()'],
    ['k in (,a)', 'k in (,a)'],
    ['k in (a,)', 'k in (,a)'],
    // NB: valid since apimachinery 1.35 ("Fix label selector parsing for consecutive commas")
    ['k in (a,,)', 'k in (,a)'],
    ['k in (a,,,b)', 'k in (,a,b)'],
    ['k!=', 'k!='],
    ['k==,j', 'j,k=='],
    // prefixed keys
    ['example.com/app=web', 'example.com/app=web'],
    ['a-1.b/C_d.e-F=G.h_i-9', 'a-1.b/C_d.e-F=G.h_i-9'],
    // a NUL where a token could start ends the input, as in Go
    ['a=b \0 ignored', 'a=b'],
  ];
  for (const [text, canonical] of cases) {
    const selector = parseSelector(text);
    assert.equal(selector.toString(), canonical, JSON.stringify(text));
    assert.equal(parseSelector(canonical).toString(), canonical, `round trip of ${canonical}`);
    assert.equal(String(selector), canonical, 'String() uses toString');
  }
});

test('parseSelector keeps the operator, sorted values and key order in requirements', () => {
  assert.deepEqual(parseSelector('z notin (b,a),!y,x,w>3,v<4,u==1,t!=2,s=3,r in (c)').requirements, [
    { key: 'r', operator: 'in', values: ['c'] },
    { key: 's', operator: '=', values: ['3'] },
    { key: 't', operator: '!=', values: ['2'] },
    { key: 'u', operator: '==', values: ['1'] },
    { key: 'v', operator: 'lt', values: ['4'] },
    { key: 'w', operator: 'gt', values: ['3'] },
    { key: 'x', operator: 'exists', values: [] },
    { key: 'y', operator: '!', values: [] },
    { key: 'z', operator: 'notin', values: ['a', 'b'] },
  ]);
  // NB: requirements that share a key keep their order, like Go's (insertion) sort for short selectors.
  assert.equal(parseSelector('b=1,a!=2,a=3').toString(), 'a!=2,a=3,b=1');
  assert.equal(parseSelector('b=1,a=3,a!=2').toString(), 'a=3,a!=2,b=1');
});

test('parseSelector reads what the aggregator forwards after URL decoding', () => {
  const query = new URLSearchParams(
    'labelSelector=app+in+%28a%2Cb%29%2Ctier%3Dweb&metricLabelSelector=method%21%3DGET',
  );
  const selector = parseSelector(query.get('labelSelector')!);
  assert.equal(selector.toString(), 'app in (a,b),tier=web');
  assert.equal(selector.matches({ app: 'b', tier: 'web' }), true);
  assert.equal(selector.matches({ app: 'c', tier: 'web' }), false);
  assert.equal(parseSelector(query.get('metricLabelSelector')!).toString(), 'method!=GET');
});
