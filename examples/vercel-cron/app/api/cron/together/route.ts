/**
 * The route Vercel Cron calls (`vercel.json`): one poll of Together AI's job API per call, what
 * changed since the last call dispatched to the app's handlers. Vercel sends
 * `Authorization: Bearer $CRON_SECRET`; anything else is refused, so nobody else can make the
 * app poll. The watch state (what was announced, what is still to deliver) lives in Redis, since
 * a serverless function keeps nothing between calls.
 */
import { timingSafeEqual } from 'node:crypto';
import { redisWatchState } from '@x/together-webhooks-redis';
import { pollTogetherJobs } from '@x/together-webhooks-watch';
import { Redis } from 'ioredis';
import { createHandlers } from '../../../../lib/handlers';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// A poll makes one request per resource and delivers what changed: well within a minute.
export const maxDuration = 60;

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const router = createHandlers(redis);
const state = redisWatchState({ client: redis, key: process.env.WATCH_STATE_KEY ?? 'together:watch:state' });

/** Whether the request carries `Bearer $CRON_SECRET`, compared in constant time. */
function fromCron(request: Request, secret: string): boolean {
  const expected = Buffer.from(`Bearer ${secret}`);
  const given = Buffer.from(request.headers.get('authorization') ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function GET(request: Request): Promise<Response> {
  const secret = process.env.CRON_SECRET;
  // Fail closed: without a secret configured, every caller would be let in.
  if (secret === undefined || secret === '') return Response.json({ error: 'CRON_SECRET is not set' }, { status: 500 });
  if (!fromCron(request, secret)) return Response.json({ error: 'unauthorized' }, { status: 401 });
  const report = await pollTogetherJobs({ deliver: router, state, signal: request.signal });
  // A failed poll is a 500, so it shows in Vercel's cron log; the next call tries again.
  return Response.json(report, { status: report.failed ? 500 : 200 });
}
