/**
 * The example's two halves, for the tests and the repository's demo: `startReceiver` (Express,
 * queue mode) and `startWorker` (BullMQ worker with a slow handler).
 */
export { startReceiver } from './receiver.js';
export { startWorker } from './worker.js';
export { DEV_SECRET, QUEUE_NAME, WEBHOOK_PATH } from './config.js';
