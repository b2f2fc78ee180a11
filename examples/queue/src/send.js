// Sends one signed delivery to the running receiver: node src/send.js [event type] [event id]
// The type defaults to batch.completed. Without an id each run makes a new event; give the id a
// previous run printed to send that event again, as a sender that missed the answer would.
import { sign } from '@x/together-webhooks-core';
import { DEV_SECRET, WEBHOOK_PATH } from './config.js';

const [type = 'batch.completed', id = `evt_${Date.now().toString(36)}`] = process.argv.slice(2);
const data = type.startsWith('fine_tune.')
  ? { id: 'ft-3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d', status: type.slice('fine_tune.'.length), model_output_name: 'you/example-7f2a' }
  : { id: 'batch_8c0d1e2f', status: 'COMPLETED' };
const body = JSON.stringify({ id, type, created: new Date().toISOString(), data });
const url = `http://127.0.0.1:${process.env.PORT ?? 3000}${WEBHOOK_PATH}`;
const started = performance.now();
const response = await fetch(url, {
  method: 'POST',
  body,
  headers: { 'content-type': 'application/json', ...sign(body, { secret: process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET }) },
});
console.log(`POST ${url} -> ${response.status} in ${(performance.now() - started).toFixed(1)} ms`, await response.json());
