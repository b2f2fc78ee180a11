/**
 * @module payload — the delivery every runtime benchmarks: a realistic `fine_tune.completed`
 * event of exactly 1 KiB, and its signed headers. Runtime-neutral (TextEncoder only).
 */

/** The secret of the benchmark deliveries. */
export const SECRET = 'whsec_bench_runtimes_0b7f3c';

/** Exactly `size` bytes of JSON: a fine-tuning job with its event log, padded in a message. */
export function eventBytes(size = 1024) {
  const event = {
    id: 'evt_01JBENCH7Q4ZK3M8V2N6R1T5W9',
    type: 'fine_tune.completed',
    created: '2026-01-01T00:00:00Z',
    data: {
      id: 'ft-3b883474-f39c-40d9-9d5a-7f97ba9eeb9f',
      status: 'completed',
      user_id: 'user_2f8d1c',
      model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Reference',
      model_output_name: 'acme/Meta-Llama-3.1-8B-Instruct-Reference-ft-2026-01-01',
      training_file: 'file-6f2e8a0c-1b3d-4e5f-9a7b-2c4d6e8f0a1b',
      n_epochs: 3,
      epochs_completed: 3,
      created_at: '2025-12-31T21:14:05.118Z',
      updated_at: '2025-12-31T23:59:58.402Z',
      total_price: 4140000,
      token_count: 1835520,
      events: [{ object: 'fine-tune-event', type: 'JOB_COMPLETE', message: '', created_at: '2025-12-31T23:59:58.402Z', level: 'info' }],
    },
  };
  const encoder = new TextEncoder();
  const base = encoder.encode(JSON.stringify(event)).length;
  if (base > size) throw new Error(`the event is ${base} bytes, over ${size}`);
  event.data.events[0].message = 'Training completed. '.repeat(64).slice(0, size - base);
  const bytes = encoder.encode(JSON.stringify(event));
  if (bytes.length !== size) throw new Error(`payload is ${bytes.length} bytes, expected ${size}`);
  return bytes;
}

/** Decodes lowercase hex. */
export function hexBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
