/**
 * The conformance suite every back end runs (see read-suite.ts), and what a back end's test needs to run it.
 * @module
 */
export { describeReadOnlyBackend, type ReadSuiteOptions } from './read-suite.js';
export { describeWritableBackend, writeFixture } from './write-cases.js';
export { fixture, namespace, otherNamespace, nodes, pods, queue, type Fixture, type FixtureObject, type FixtureSeries } from './fixture.js';
export type { ConformanceSubject, OpenSubject, StallHandle, UnreachableHandle } from './subject.js';
export { fixtureObjectLister } from './object-lister.js';
