/**
 * The h3 apps the tests serve, one per major, over real HTTP on a free loopback port: h3 1 through
 * `toNodeListener` (what Nitro 2 does on Node), h3 2 through `toNodeHandler` or its own `serve`.
 */
import { createServer } from 'node:http';
import { H3, readBody as readBodyV2 } from 'h3';
import { serve, toNodeHandler } from 'h3/node';
import { createApp, createRouter, defineEventHandler, readBody as readBodyV1, toNodeListener } from 'h3-v1';
import { close, listen } from '@x/together-webhooks-test-support';
import { togetherWebhooks, type TogetherWebhooksOptions } from '../src/index.js';
import type { Webhooks } from '@x/together-webhooks-core';

/** The majors under test. */
export type Major = 'h3 1' | 'h3 2';
export const MAJORS: readonly Major[] = ['h3 1', 'h3 2'];

/** One route of a test app. */
export interface Route {
  path: string;
  webhooks: Webhooks;
  /** A middleware reads the body with the major's `readBody` before the handler runs. */
  readBodyFirst?: boolean;
  options?: TogetherWebhooksOptions;
}

/** A running app. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Serves `routes` with the given major, through node:http. */
export async function serveH3(major: Major, routes: readonly Route[]): Promise<Served> {
  const server = createServer(major === 'h3 1' ? v1Listener(routes) : toNodeHandler(v2App(routes)));
  const url = await listen(server);
  return { url, close: () => close(server) };
}

/** Serves `routes` with h3 2's own `serve` (srvx), the way an h3 2 app starts. */
export async function serveH3V2Native(routes: readonly Route[]): Promise<Served> {
  const server = serve(v2App(routes), { port: 0, hostname: '127.0.0.1', silent: true });
  await server.ready();
  return { url: server.url!.replace(/\/$/, ''), close: () => server.close(true) };
}

function v1Listener(routes: readonly Route[]) {
  const app = createApp();
  const router = createRouter();
  for (const route of routes) {
    const handler = togetherWebhooks(route.webhooks, route.options);
    if (route.readBodyFirst) {
      router.post(route.path, defineEventHandler(async (event) => {
        await readBodyV1(event);
        return handler(event);
      }));
    } else router.post(route.path, handler);
  }
  app.use(router);
  return toNodeListener(app);
}

function v2App(routes: readonly Route[]): H3 {
  const app = new H3();
  for (const route of routes) {
    const handler = togetherWebhooks(route.webhooks, route.options);
    if (route.readBodyFirst) {
      app.post(route.path, async (event) => {
        await readBodyV2(event);
        return handler(event);
      });
    } else app.post(route.path, handler);
  }
  return app;
}
