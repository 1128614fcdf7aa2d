/**
 * The conformance suite every back end runs, read-only ones included: a back end's test opens it on the fixture
 * (fixture.ts) and the suite checks the provider contract (provider.ts), as hono's router implementations share
 * `common.case.test.ts`. Writable back ends run the write cases too (write-cases.ts).
 * @module
 */
import { after, before, describe } from 'node:test';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../provider.js';
import { customCases } from './custom-cases.js';
import { externalCases } from './external-cases.js';
import { fixture } from './fixture.js';
import { abortCase, unreachableCase } from './failure-cases.js';
import type { ConformanceSubject, OpenSubject } from './subject.js';

export interface ReadSuiteOptions {
  /** Whether the back end serves custom metrics, external metrics or both; the cases of each run when given. */
  readonly custom: boolean;
  readonly external: boolean;
  /** Whether reads go to an upstream that can be cut (the subject then gives `unreachable`). */
  readonly unreachable: boolean;
}

/** Registers the read cases under `describe('<name> back end: conformance')`; `open` builds the subject once. */
export function describeReadOnlyBackend(name: string, options: ReadSuiteOptions, open: OpenSubject): void {
  describe(`${name} back end: conformance`, () => {
    let subject: ConformanceSubject | undefined;
    const get = (): ConformanceSubject => {
      if (subject === undefined) throw new Error(`the ${name} subject did not open`);
      return subject;
    };
    before(async () => {
      subject = await open(fixture);
      if (options.custom && subject.custom === undefined) throw new Error(`${name} serves no custom metrics provider`);
      if (options.external && subject.external === undefined)
        throw new Error(`${name} serves no external metrics provider`);
      if (options.unreachable && subject.unreachable === undefined)
        throw new Error(`${name} gives no way to cut its upstream`);
    });
    after(async () => subject?.close());

    if (options.custom) customCases(get as () => ConformanceSubject & { readonly custom: CustomMetricsProvider });
    if (options.external)
      externalCases(get as () => ConformanceSubject & { readonly external: ExternalMetricsProvider });
    abortCase(get);
    if (options.unreachable) unreachableCase(get);
  });
}
