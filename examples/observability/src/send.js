// Sends one signed delivery with a traceparent, as the watcher's forwarding does: node src/send.js
import { randomBytes } from 'node:crypto';
import { sign } from '@x/together-webhooks-core';
import { DEV_SECRET, WEBHOOK_PATH } from './app.js';

const url = `http://127.0.0.1:${process.env.PORT ?? 3000}${WEBHOOK_PATH}`;
const event = {
  id: `evt_${Date.now().toString(36)}`,
  type: 'fine_tune.completed',
  created: new Date().toISOString(),
  data: { id: 'ft-3f1e2d4c', status: 'completed', model_output_name: 'you/Meta-Llama-3.1-8B-Instruct-Reference-example' },
};
const body = JSON.stringify(event);
// A W3C trace context of the sender: the receiver's span continues this trace.
const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
const headers = { 'content-type': 'application/json', traceparent, ...sign(body, { secret: process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET }) };
const response = await fetch(url, { method: 'POST', body, headers });
console.log(`POST ${url} (traceparent ${traceparent}) -> ${response.status}`, await response.json());
