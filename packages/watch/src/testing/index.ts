/**
 * @module @x/together-webhooks-watch/testing — a local fake of Together AI's job API, to run a
 * watcher (and the handlers behind it) in tests and demos without an API key or network.
 */
export {
  startFakeTogetherApi,
  type FakeFault,
  type FakeJob,
  type FakeRequest,
  type FakeResource,
  type FakeStep,
  type FakeTogetherApi,
  type FakeTogetherApiOptions,
} from './fake-together-api.js';
