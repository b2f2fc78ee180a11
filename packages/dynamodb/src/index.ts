/**
 * @module @x/together-webhooks-dynamodb — an idempotency store on DynamoDB for together-webhooks:
 * each Together AI event is handled once across all instances, whatever TTL deletion's delay.
 */
export { dynamoDbStore, type DynamoDbStoreOptions } from './store.js';
export { dynamoDbWatchState, type DynamoDbWatchStateOptions } from './watch-state.js';
