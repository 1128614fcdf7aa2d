import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from '../serving/cli-error.js';
import { hpaNameFromArgs } from './explain-target.js';

test('the names kubectl accepts for an HPA', () => {
  const cases: [string[], string | undefined][] = [
    [[], undefined],
    [['web'], 'web'],
    [['hpa', 'web'], 'web'],
    [['HPA', 'web'], 'web'],
    [['horizontalpodautoscalers.autoscaling', 'web'], 'web'],
    [['hpa/web'], 'web'],
    [['horizontalpodautoscaler/web'], 'web'],
  ];
  for (const [args, name] of cases) assert.equal(hpaNameFromArgs(args), name, args.join(' '));
});

test('anything else is one line saying what to type', () => {
  const cases: [string[], RegExp][] = [
    [['deployment', 'web'], /"deployment" is not one \(use hpa NAME\)$/],
    [['deploy/web'], /"deploy" is not one/],
    [['hpa'], /^give the HPA's name: explain hpa NAME$/],
    [['hpa/'], /the HPA's name is missing/],
    [['hpa/web', 'x'], /no need to give a resource type/],
    [['hpa', 'a', 'b'], /one HPA, got 3 arguments/],
  ];
  for (const [args, message] of cases)
    assert.throws(
      () => hpaNameFromArgs(args),
      (e: unknown) => e instanceof CliError && message.test(e.message),
      args.join(' '),
    );
});
