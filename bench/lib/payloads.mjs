/**
 * @module payloads — realistic event bodies of an exact size: a finished fine-tuning job whose
 * `events` log grows until the body reaches the size, as Together's API returns it.
 */
import { Buffer } from 'node:buffer';

function logEntry(step) {
  return {
    object: 'fine-tune-event',
    created_at: new Date(Date.UTC(2025, 0, 15, 10, 30) + step * 7_000).toISOString(),
    level: step % 17 === 0 ? 'warning' : 'info',
    message: `Epoch ${1 + Math.floor(step / 40)} step ${step}: loss ${(2.5 / (1 + step / 50)).toFixed(4)}, lr 1e-5`,
    type: step % 40 === 0 ? 'EPOCH_COMPLETE' : 'TRAINING_PROGRESS',
    step,
  };
}

/** A JSON event body of exactly `bytes` bytes, as a Buffer (what a Node server reads). */
export function eventBody(bytes) {
  const event = {
    id: 'evt_01JH7Q8M2KX4T9VZ3N6B5C8D7E',
    type: 'fine_tune.completed',
    created: '2025-01-15T10:30:00.000Z',
    data: {
      id: 'ft-3b6f1c2e-8a4d-4c5b-9e7f-0a1b2c3d4e5f',
      status: 'completed',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-ft-2025-01-15',
      training_file: 'file-7c2a9b14-6d3e-4f8a-b5c1-2e9d0f4a6b8c',
      n_epochs: 3,
      epochs_completed: 3,
      total_price: 1250000,
      token_count: 8421337,
      created_at: '2025-01-15T08:00:00.000Z',
      updated_at: '2025-01-15T10:29:58.000Z',
      events: [],
      note: '',
    },
  };
  for (let step = 0; Buffer.byteLength(JSON.stringify(event)) < bytes; step++) event.data.events.push(logEntry(step));
  while (Buffer.byteLength(JSON.stringify(event)) > bytes) event.data.events.pop();
  event.data.note = 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(event)));
  const body = Buffer.from(JSON.stringify(event));
  if (body.byteLength !== bytes) throw new Error(`body is ${body.byteLength} bytes, wanted ${bytes}`);
  return body;
}
