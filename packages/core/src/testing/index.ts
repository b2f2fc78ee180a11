/**
 * @module @x/together-webhooks-core/testing — tools for users' own test suites: the store
 * conformance kit, realistic test events and signed deliveries.
 */
export {
  runStoreConformance,
  StoreConformanceError,
  storeConformanceChecks,
  type StoreConformanceCheck,
  type StoreConformanceCheckName,
  type StoreConformanceOptions,
  type StoreConformanceReport,
} from './conformance.js';
export {
  createTestEvent,
  testResourceFixtures,
  type AnyTestResourceFixture,
  type FixtureJob,
  type TestEventOverrides,
  type TestResourceFixture,
} from './test-events.js';
export {
  createSignedDelivery,
  toRequest,
  type EventEnvelope,
  type SignedDelivery,
  type SignedDeliveryHeaders,
  type SignedDeliveryOptions,
} from './delivery.js';
export {
  queueConformanceChecks,
  QueueConformanceError,
  runQueueConformance,
  type QueueConformanceCheck,
  type QueueConformanceOptions,
  type QueueConformanceReport,
  type QueueUnderTest,
  type QueueWorker,
} from './queue-conformance.js';
