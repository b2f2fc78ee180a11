/**
 * @module @x/together-webhooks-watch/testing — a local fake of Together AI's job API, to run a
 * watcher (and the handlers behind it) in tests and demos without an API key or network; and the
 * conformance kit that proves a `WatchState` keeps its contract.
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
export {
  runWatchStateConformance,
  WatchStateConformanceError,
  watchStateConformanceChecks,
  type WatchStateConformanceCheck,
  type WatchStateConformanceCheckName,
  type WatchStateConformanceOptions,
  type WatchStateConformanceReport,
} from './watch-state-conformance.js';
