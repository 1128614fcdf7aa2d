// validation.IsDNS1123Subdomain, the prefix of a label key: DNS labels of [a-z0-9] and '-' (starting and ending
// alphanumeric) joined by '.', so nothing past `z` in ASCII or beyond ASCII may start, end or sit inside a label.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelKeyProblems } from './label-validation.js';

test('label key prefixes: characters after `z` are no DNS label characters', () => {
  for (const key of ['{/k', 'a~/k', 'a{b/k', 'é.com/k']) assert.equal(labelKeyProblems(key).length, 1, key);
});
