import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStaticResourceMapper } from '../../../kube/static-resource-mapper.js';
import { compileRules } from './compile-rules.js';
import { defaultRules } from './default-rules.js';
import { discoveryRuleSchema } from './rules-schema.js';

test("the chart's default rules pass the rules schema and compile", () => {
  assert.equal(defaultRules.length, 6);
  for (const [i, rule] of defaultRules.entries()) {
    const checked = discoveryRuleSchema.safeParse(rule);
    assert.ok(checked.success, `default rule ${i}: ${checked.success ? '' : checked.error.message}`);
  }
  const compiled = compileRules(defaultRules, createStaticResourceMapper(), 'rules');
  assert.equal(compiled.length, 6);
});
