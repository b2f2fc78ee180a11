/**
 * @module @x/together-webhooks-lambda — an AWS Lambda handler for signed deliveries of Together
 * AI job events (from this project's watcher or the user's own sender: Together sends none) that
 * arrive through API Gateway (REST or HTTP API), an Application Load Balancer, or a Function URL.
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
