// pnpm start: invokes the handler locally with a signed delivery from each event source, then the
// same delivery again (a duplicate), and prints what each source would send back.
import { sign } from '@x/together-webhooks-core';
import { albEvent, functionUrlEvent, httpApiEvent, restApiEvent } from './events.js';
import { DEV_SECRET, handler } from './handler.js';

const secret = process.env.TOGETHER_WEBHOOK_SECRET ?? DEV_SECRET;
if (!process.env.TOGETHER_WEBHOOK_SECRET) console.warn(`TOGETHER_WEBHOOK_SECRET is not set: signing with the DEV-ONLY secret.`);

function delivery(id) {
  const body = JSON.stringify({
    id,
    type: 'fine_tune.completed',
    created: new Date().toISOString(),
    data: { id: 'ft-3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d', status: 'completed', model_output_name: 'you/llama-example-7f2a' },
  });
  return { body, headers: { 'content-type': 'application/json', ...sign(body, { secret }) } };
}

const sources = [
  ['API Gateway REST API (1.0)', (d) => restApiEvent(d)],
  ['API Gateway HTTP API (2.0), base64 body', (d) => httpApiEvent({ ...d, base64: true })],
  ['Function URL', (d) => functionUrlEvent(d)],
  ['ALB', (d) => albEvent(d)],
  ['ALB, multi-value headers', (d) => albEvent({ ...d, multiValue: true })],
];

let failures = 0;
for (const [index, [name, toEvent]] of sources.entries()) {
  const signed = delivery(`evt_lambda_example_${Date.now()}_${index}`);
  console.log(`\n${name}`);
  for (const attempt of ['first', 'again']) {
    const result = await handler(toEvent(signed));
    const { body, ...shape } = result;
    console.log(`  ${attempt}: ${JSON.stringify(shape)} ${body}`);
    const outcome = JSON.parse(body).outcome;
    if (result.statusCode !== 200 || outcome !== (attempt === 'first' ? 'processed' : 'duplicate')) failures += 1;
  }
}
if (failures > 0) {
  console.error(`\n${failures} answer(s) were not 200 processed / duplicate`);
  process.exitCode = 1;
}
