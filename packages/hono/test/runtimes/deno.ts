/** @module deno — serves the table's Hono app with Deno.serve on 127.0.0.1:$PORT. */
import { app } from './app.js';

declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { hostname: string; port: number }, handler: (request: Request) => Response | Promise<Response>): unknown;
};

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')) }, app.fetch);
