/**
 * A fake provider for tests of code that reads the metrics APIs.
 * @module
 */
export {
  createFakeProvider,
  type FakeCustomValue,
  type FakeExternalValue,
  type FakeProvider,
  type FakeProviderOptions,
  type FakeRequest,
} from './fake-provider.js';
