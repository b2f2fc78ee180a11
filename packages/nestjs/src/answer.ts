/**
 * @module answer — one delivery on either Nest platform: the raw bytes Nest kept (`rawBody: true`)
 * or the unread stream, `handle()`, and the answer written the platform's way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookResult, Webhooks } from '@x/together-webhooks-core';
import { nodeAdapterResult, writeResult } from '@x/together-webhooks-node-http';

/** What Nest hands the controller on the Express platform: Express's request, with `rawBody` when kept. */
export type ExpressPlatformRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

/** What Nest hands the controller on the Fastify platform: a `FastifyRequest`, with `rawBody` when kept. */
export interface FastifyPlatformRequest {
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
  body?: unknown;
  rawBody?: unknown;
}

/** The part of a `FastifyReply` the controller uses. */
export interface FastifyPlatformReply {
  raw: ServerResponse;
  code(status: number): FastifyPlatformReply;
  headers(headers: Record<string, string>): FastifyPlatformReply;
  send(payload: string): unknown;
}

/** The request on either platform. */
export type NestPlatformRequest = ExpressPlatformRequest | FastifyPlatformRequest;

/** The response on either platform: Express's `res` (a `ServerResponse`) or a `FastifyReply`. */
export type NestPlatformResponse = ServerResponse | FastifyPlatformReply;

/** Called with each result just before it is written (logging, metrics, extra headers). */
export type OnResult = (result: WebhookResult, req: NestPlatformRequest, res: NestPlatformResponse) => void;

const RAW_BODY_FIX =
  'together-webhooks (nestjs): a body parser already parsed this request and kept no raw body, so the bytes ' +
  'the signature covers are gone and every delivery would fail verification. Create the app with raw bodies ' +
  'kept: NestFactory.create(AppModule, { rawBody: true }).';

const EXPRESS_RAW_BODY_FIX = `${RAW_BODY_FIX} (With bodyParser: false, mount no JSON parser in front of this route.)`;

// Fastify parses JSON itself, so `bodyParser: false` there only takes away the raw copy Nest keeps.
const FASTIFY_RAW_BODY_FIX =
  `${RAW_BODY_FIX} On the Fastify platform, also leave bodyParser on (bodyParser: false does not stop ` +
  "Fastify's own JSON parser; it only stops Nest keeping rawBody).";

const isFastifyRequest = (req: NestPlatformRequest): req is FastifyPlatformRequest =>
  (req as Partial<FastifyPlatformRequest>).raw !== undefined;

/**
 * Answers one delivery. On the Express platform the raw bytes are `req.rawBody` (`rawBody: true`)
 * or, with `bodyParser: false`, the unread stream, read here up to `maxBodyBytes`; on the Fastify
 * platform Fastify has always read the body, so they are `req.rawBody`. A body parsed with no raw
 * copy kept answers 500 `failed` and reports, through `onError`, the option that fixes it.
 *
 * @param webhooks - the receiver
 * @param req - Nest's request object (`@Req()`)
 * @param res - Nest's response object (`@Res()`), written here
 * @param onResult - the optional hook
 * @returns when the answer is written (or, for a client that went away, when it was reported)
 */
export function answerDelivery(
  webhooks: Webhooks,
  req: NestPlatformRequest,
  res: NestPlatformResponse,
  onResult: OnResult | undefined,
): Promise<void> {
  const fastify = isFastifyRequest(req);
  const nodeReq = fastify ? req.raw : req;
  return nodeAdapterResult(webhooks, nodeReq, req.rawBody ?? req.body, fastify ? FASTIFY_RAW_BODY_FIX : EXPRESS_RAW_BODY_FIX).then((result) => {
    // The client went away mid-body: already reported, and there is no one to answer.
    if (result === undefined) return;
    onResult?.(result, req, res);
    if ('raw' in res) res.code(result.status).headers(result.headers).send(JSON.stringify(result.body));
    else writeResult(res, result);
  });
}
