/**
 * @module event — the two shapes of an h3 event the handler meets: h3 2's (`event.req` is a Fetch
 * `Request`, `event.res` the prepared response) and h3 1's, as in Nuxt 3 and Nitro 2 (`event.node`
 * holds Node's request and response, real on Node, emulated on Nitro's edge presets).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The part of an h3 2 event the handler uses. */
export interface H3V2Event {
  readonly req: Request;
  readonly res: { status?: number; readonly headers: Headers };
}

/** The part of an h3 1 event the handler uses. */
export interface H3V1Event {
  readonly node: { req: IncomingMessage; res: ServerResponse };
}

/** An event of either h3 major. */
export type H3EventLike = H3V1Event | H3V2Event;

// h3 2 also puts Node's objects on `event.node` under Node, so its `req` decides.
export const isV2Event = (event: H3EventLike): event is H3V2Event =>
  typeof (event as Partial<H3V2Event>).req?.arrayBuffer === 'function';

/** Where h3 1 keeps a body something already read (its `readRawBody`/`readBody` cache, or Nitro's). */
export function keptV1Body(event: H3V1Event): unknown {
  const internal = event as H3V1Event & { _requestBody?: unknown; web?: { request?: Request } };
  const req = event.node.req as IncomingMessage & Record<PropertyKey, unknown>;
  // The order of h3 1's own readRawBody: what it would read is what the handler verifies.
  return internal._requestBody ?? internal.web?.request ?? req[H3_RAW_BODY] ?? req.rawBody ?? req.body;
}

// h3 1's cache of the bytes its readRawBody and readBody read (a promise of a Buffer).
const H3_RAW_BODY = Symbol.for('h3RawBody');
