/**
 * A NestJS app that receives Together AI webhooks: TogetherWebhooksModule at /webhooks/together,
 * its receiver built by forRootAsync so the typed `fine_tune.completed` handler calls an injected
 * service, the memory store for deduplication, a logger for every event, and an ordinary JSON
 * route beside it (rawBody: true keeps the raw bytes without taking parsed JSON from other routes).
 *
 * Plain JavaScript, so Nest's decorators are applied as functions: in TypeScript,
 * `Module({ ... })(AppModule)` is `@Module({ ... }) class AppModule {}`.
 */
import 'reflect-metadata';
import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
import { TogetherWebhooksModule } from '@x/together-webhooks-nestjs';

/** DEV ONLY: the secret used when TOGETHER_WEBHOOK_SECRET is unset. Never use it in production. */
export const DEV_SECRET = 'whsec_dev_only_do_not_use_in_production';

/** The path deliveries are sent to. */
export const WEBHOOK_PATH = '/webhooks/together';

/** The app's own service that a webhook handler calls. */
export class Deployments {
  constructor() {
    /** @type {(line: string) => void} */
    this.log = console.log;
  }

  /** @param {string} model */
  deploy(model) {
    this.log(`deploying ${model}`);
  }
}
Injectable()(Deployments);

class DeploymentsModule {}
Module({ providers: [Deployments], exports: [Deployments] })(DeploymentsModule);

/** A JSON route: Nest still parses its body. */
class EchoController {
  /** @param {unknown} body */
  echo(body) {
    return { received: body };
  }
}
Controller('echo')(EchoController);
Post()(EchoController.prototype, 'echo', Object.getOwnPropertyDescriptor(EchoController.prototype, 'echo'));
Body()(EchoController.prototype, 'echo', 0);

/**
 * Builds the app (not listening yet).
 *
 * @param {{ secret?: string, store?: import('@x/together-webhooks-core').IdempotencyStore, log?: (line: string) => void, platform?: 'express' | 'fastify' }} [options]
 */
export async function createApp(options = {}) {
  const { secret = DEV_SECRET, store = memoryStore(), log = console.log, platform = 'express' } = options;
  const webhooksModule = TogetherWebhooksModule.forRootAsync({
    path: WEBHOOK_PATH,
    imports: [DeploymentsModule],
    inject: [Deployments],
    /** @param {Deployments} deployments */
    useFactory: (deployments) => {
      deployments.log = log;
      const webhooks = createWebhooks({
        secret,
        store,
        onError: (error, { phase, event }) => log(`webhook error in ${phase}${event ? ` (${event.id})` : ''}: ${String(error)}`),
      });
      webhooks.on('fine_tune.completed', (event) => {
        deployments.deploy(event.data.model_output_name ?? event.data.id);
      });
      webhooks.onAny((event) => {
        log(`received ${event.type} ${event.id}`);
      });
      return webhooks;
    },
  });
  class AppModule {}
  Module({ imports: [webhooksModule, DeploymentsModule], controllers: [EchoController] })(AppModule);
  // rawBody: true keeps the bytes the signature covers; Fastify's bodyLimit and body-parser's
  // limit below are the receiver's 1 MiB default (body-parser's own default is 100kb).
  const app =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), { rawBody: true, logger: ['error', 'warn'] })
      : await NestFactory.create(AppModule, { rawBody: true, logger: ['error', 'warn'] });
  if (platform === 'express') app.useBodyParser('json', { limit: 1024 * 1024 });
  return app;
}

/**
 * Starts the app on 127.0.0.1.
 *
 * @param {{ port?: number } & Parameters<typeof createApp>[0]} [options] - port 0 picks a free one
 */
export async function start(options = {}) {
  const { port = 0, ...appOptions } = options;
  const app = await createApp(appOptions);
  await app.listen(port, '127.0.0.1');
  const address = /** @type {import('node:net').AddressInfo} */ (app.getHttpServer().address());
  const url = `http://127.0.0.1:${address.port}${WEBHOOK_PATH}`;
  return { app, url, close: () => app.close() };
}
