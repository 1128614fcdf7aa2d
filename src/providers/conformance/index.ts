/**
 * The conformance suite every back end runs (see read-suite.ts), and what a back end's test needs to run it.
 * @module
 */
export { describeReadOnlyBackend } from './read-suite.js';
export { describeWritableBackend, writeFixture } from './write-cases.js';
export type { Fixture } from './fixture.js';
export type { OpenSubject, StallHandle, UnreachableHandle } from './subject.js';
export { fixtureObjectLister } from './object-lister.js';
