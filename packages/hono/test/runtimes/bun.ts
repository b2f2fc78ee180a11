/** @module bun — serves the table's Hono app with Bun.serve on 127.0.0.1:$PORT. */
import { app } from './app.js';

declare const Bun: { serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): unknown };
declare const process: { env: Record<string, string | undefined> };

Bun.serve({ hostname: '127.0.0.1', port: Number(process.env.PORT), fetch: app.fetch });
