/**
 * @module job-id — the BullMQ job id of an event: derived from the event id alone, so every
 * delivery of one event maps to one job, and BullMQ ignores an add whose job still exists.
 */
import { createHash } from 'node:crypto';

// BullMQ refuses custom ids that are integers or contain ':'; long ids make long Redis keys.
const PLAIN_ID = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The job id of the event whose id is `eventId`: `e_<event id>` when the id is 1 to 200
 * characters of `[A-Za-z0-9._-]` (as the watcher's are), else `h_<SHA-256 hex of the id>`, so an
 * id of any length and any characters has a valid, fixed-length job id. The two prefixes keep the
 * forms apart: no plain id maps to a digest's job id.
 *
 * @param eventId - the event's `id`
 * @returns the job id `bullmqQueue` adds the event under
 * @example
 * ```ts
 * const job = await queue.getJob(jobIdFor('evt_01J9Z6W1')); // 'e_evt_01J9Z6W1'
 * ```
 */
export function jobIdFor(eventId: string): string {
  if (typeof eventId !== 'string' || eventId.length === 0) throw new TypeError('eventId must be a non-empty string');
  if (PLAIN_ID.test(eventId)) return `e_${eventId}`;
  return `h_${createHash('sha256').update(eventId, 'utf8').digest('hex')}`;
}
