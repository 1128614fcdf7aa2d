import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureGroupCount, compileGoRegexp, expandGo } from './go-regexp.js';

const expand = (pattern: string, as: string, name: string) => expandGo(as, compileGoRegexp(pattern).exec(name)!);

describe('Go regexp and ExpandString', () => {
  test('invalid patterns and mid-pattern flags are refused', () => {
    assert.throws(() => compileGoRegexp('^(.*_total'), /error parsing regexp/);
    assert.throws(() => compileGoRegexp('a(?i)b'), /flags are supported only at the start/);
  });

  test('docs/config.md: ${1}_per_second, and $1_per_second reads a group named 1_per_second', () => {
    assert.equal(expand('^(.*)_total$', '${1}_per_second', 'http_requests_total'), 'http_requests_per_second');
    assert.equal(expand('^(.*)_total$', '$1_per_second', 'http_requests_total'), '');
  });

  test('$0 is the match, $$ a dollar, named groups, (?i)', () => {
    assert.equal(expand('requests', '$0', 'http_requests_total'), 'requests');
    assert.equal(expand('^(?P<base>.*)_total$', '${base}_rate $$', 'x_total'), 'x_rate $');
    assert.equal(expand('(?i)^HTTP_(.*)$', '$1', 'http_x'), 'x');
    assert.equal(captureGroupCount(compileGoRegexp('^container_(.*)_seconds_total$')), 1);
    assert.equal(captureGroupCount(compileGoRegexp('.*')), 0);
  });
});
