/**
 * Signed test deliveries, built the way this project's watcher builds them (Together AI sends no
 * webhooks: the watcher polls its job API), for trying the example (and for the repository's demo).
 */
import { sign } from '@x/together-webhooks-core';

let counter = 0;

/** A unique event id. */
export function eventId(prefix = 'evt') {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

/** An event envelope; `fine_tune.completed` data is shaped like Together's fine-tuning job. */
export function sampleEvent(type = 'fine_tune.completed', id = eventId()) {
  const data = type.startsWith('fine_tune.')
    ? {
        id: 'ft-3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d',
        status: type.slice('fine_tune.'.length),
        model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
        model_output_name: 'you/Meta-Llama-3.1-8B-Instruct-Reference-example-7f2a',
        n_epochs: 3,
        epochs_completed: 3,
      }
    : { id: `res_${id}`, status: 'COMPLETED' };
  return { id, type, created: new Date().toISOString(), data };
}

/**
 * Signs `event` with `secret`.
 *
 * @param {{ secret: string, event?: object, timestamp?: number }} options
 * @returns {{ id: string, body: string, headers: Record<string, string> }}
 */
export function signedDelivery({ secret, event = sampleEvent(), timestamp }) {
  const body = JSON.stringify(event);
  return {
    id: event.id,
    body,
    headers: { 'content-type': 'application/json', ...sign(body, timestamp === undefined ? { secret } : { secret, timestamp }) },
  };
}

/**
 * POSTs a delivery and returns the status and the JSON answer.
 *
 * @param {string} url
 * @param {{ body: string, headers: Record<string, string> }} delivery
 */
export async function send(url, delivery) {
  const response = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}
