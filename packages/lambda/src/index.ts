/**
 * @module @x/together-webhooks-lambda — an AWS Lambda handler for signed deliveries of Together
 * AI job events (from this project's watcher or the user's own sender: Together sends none) that
 * arrive through API Gateway (REST or HTTP API), an Application Load Balancer, or a Function URL;
 * and queue mode over SQS: `createSqsHandler` for SQS-triggered Lambdas, `sqsQueue` to enqueue.
 */
export { createLambdaHandler, type LambdaHandler } from './handler.js';
export type {
  AlbEvent,
  AlbResult,
  HttpApiEvent,
  HttpApiResult,
  LambdaEvent,
  LambdaResult,
  LambdaResultFor,
  RestApiEvent,
  RestApiResult,
} from './events.js';
export { createSqsHandler, type SqsBatchResponse, type SqsEvent, type SqsHandler, type SqsRecord } from './sqs-handler.js';
export { sqsQueue, type SqsQueueOptions, type SqsSendClient } from './sqs-queue.js';
