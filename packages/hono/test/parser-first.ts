/**
 * @module parser-first — the middleware the table's "a body parser ran first" route puts before
 * the handler on every runtime: it parses the body with `c.req.json()`, as a logging or validation
 * middleware does, so the handler finds only Hono's cached text.
 */
import type { MiddlewareHandler } from 'hono';
import type { ParserFirst } from '@x/together-webhooks-test-support/delivery-cases';

export const READ_JSON_FIRST: { middleware: MiddlewareHandler; difference: ParserFirst } = {
  middleware: async (c, next) => {
    await c.req.json();
    await next();
  },
  difference: { parser: 'a middleware that read c.req.json() first: Hono cached the text', answers: 'processed' },
};
