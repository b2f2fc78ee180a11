/**
 * @module sources — one processor per event source: how to recognise its events (by the shape of
 * `requestContext`), turn one into the core's input, and shape the answer the way it expects.
 */
import { STATUS_CODES } from 'node:http';
import type { RawDelivery, WebhookResult } from '@x/together-webhooks-core';
import type { AlbEvent, AlbResult, HttpApiEvent, HttpApiResult, LambdaEvent, LambdaResult, RestApiEvent, RestApiResult } from './events.js';
import { eventBody, eventHeaders } from './shared.js';

/** How the handler deals with one event source. */
export interface EventSource<E extends LambdaEvent, R extends LambdaResult> {
  name: string;
  matches(event: LambdaEvent): event is E;
  toInput(event: E): RawDelivery;
  toResult(result: WebhookResult, event: E): R;
}

function hasContext(event: LambdaEvent, key: string): boolean {
  const context = (event as { requestContext?: unknown }).requestContext;
  return typeof context === 'object' && context !== null && key in context;
}

/** An ALB: its `requestContext` holds only `elb`. */
export const alb: EventSource<AlbEvent, AlbResult> = {
  name: 'ALB',
  matches: (event): event is AlbEvent => hasContext(event, 'elb'),
  // With multi-value headers enabled on the target group the ALB sends only multiValueHeaders, else only headers.
  toInput: (event) => ({ body: eventBody(event.body, event.isBase64Encoded), headers: eventHeaders(event.headers, event.multiValueHeaders) }),
  toResult: (result, event) => {
    const answer: AlbResult = {
      statusCode: result.status,
      // The ALB builds its status line from this; without it the line is empty.
      statusDescription: `${result.status} ${STATUS_CODES[result.status] ?? ''}`.trimEnd(),
      body: JSON.stringify(result.body),
      isBase64Encoded: false,
    };
    // The ALB reads the response headers from the field matching the request's mode and ignores the other.
    const headers = responseHeaders(result.headers);
    if (event.multiValueHeaders) answer.multiValueHeaders = multiValue(headers);
    else answer.headers = headers;
    return answer;
  },
};

/** API Gateway HTTP API (payload format 2.0) and Function URLs: `requestContext.http`. */
export const httpApi: EventSource<HttpApiEvent, HttpApiResult> = {
  name: 'HTTP API / Function URL',
  matches: (event): event is HttpApiEvent => hasContext(event, 'http'),
  // Format 2.0 already joins repeated headers with commas under lowercase names.
  toInput: (event) => ({ body: eventBody(event.body, event.isBase64Encoded), headers: eventHeaders(event.headers) }),
  toResult: (result) => ({
    statusCode: result.status,
    headers: responseHeaders(result.headers),
    body: JSON.stringify(result.body),
    isBase64Encoded: false,
  }),
};

/** API Gateway REST API (payload format 1.0): `requestContext.httpMethod`. */
export const restApi: EventSource<RestApiEvent, RestApiResult> = {
  name: 'REST API',
  matches: (event): event is RestApiEvent => hasContext(event, 'httpMethod'),
  // Format 1.0 keeps the client's header case, and `headers` keeps only the last of repeated values.
  toInput: (event) => ({
    body: eventBody(event.body, event.isBase64Encoded),
    headers: eventHeaders(event.headers, event.multiValueHeaders),
  }),
  toResult: (result) => ({
    statusCode: result.status,
    headers: responseHeaders(result.headers),
    body: JSON.stringify(result.body),
    isBase64Encoded: false,
  }),
};

// The gateway or load balancer owns the client's connection and has read the whole body before
// invoking: a hop-by-hop `connection` header (the core's 413 sets it) means nothing here, and
// API Gateway remaps or refuses it.
function responseHeaders(headers: Record<string, string>): Record<string, string> {
  if (!('connection' in headers)) return headers;
  const rest = { ...headers };
  delete rest.connection;
  return rest;
}

function multiValue(headers: Record<string, string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(headers)) out[name] = [headers[name]!];
  return out;
}
