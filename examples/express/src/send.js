// Sends one signed delivery to the running example: node src/send.js [event type]
import { DEV_SECRET, WEBHOOK_PATH } from './app.js';
import { sampleEvent, send, signedDelivery } from './deliveries.js';

const url = `http://127.0.0.1:${process.env.PORT ?? 3000}${WEBHOOK_PATH}`;
const delivery = signedDelivery({ secret: process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET, event: sampleEvent(process.argv[2]) });
const answer = await send(url, delivery);
console.log(`POST ${url} -> ${answer.status}`, answer.body);
