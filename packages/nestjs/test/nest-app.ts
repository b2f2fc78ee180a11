/**
 * The Nest apps the tests serve: a module importing what a test gives, on either platform, listening
 * on a free loopback port. Built with Nest's decorators applied as functions (vitest's compiler
 * emits no decorator metadata, and the module needs none).
 */
import { Module, type DynamicModule, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The two HTTP platforms Nest ships. */
export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

/** A running app. */
export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** What a test configures: Nest's `rawBody`/`bodyParser`, Fastify's `bodyLimit`, the global prefix, a JSON limit. */
export interface AppSetup {
  rawBody?: boolean;
  bodyParser?: boolean;
  bodyLimit?: number;
  globalPrefix?: string;
  /** `app.useBodyParser('json', { limit })` on the Express platform. */
  jsonLimit?: number;
}

/**
 * Creates and starts a Nest app whose root module imports `imports`.
 *
 * @param platform - Express or Fastify
 * @param imports - the modules to import (`TogetherWebhooksModule.forRoot(...)`)
 * @param setup - the app's options
 * @param configure - called before the app listens (extra middleware)
 */
export async function startNestApp(
  platform: Platform,
  imports: (DynamicModule | (new () => unknown))[],
  setup: AppSetup = {},
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  // eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is a class carrying metadata
  class AppModule {}
  Module({ imports })(AppModule);
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class; its docs pass a literal
  const options: NestApplicationOptions = { logger: false, ...(setup.rawBody === undefined ? {} : { rawBody: setup.rawBody }), ...(setup.bodyParser === undefined ? {} : { bodyParser: setup.bodyParser }) };
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(setup.bodyLimit === undefined ? {} : { bodyLimit: setup.bodyLimit });
  const app = await NestFactory.create(AppModule, adapter, options);
  if (setup.globalPrefix) app.setGlobalPrefix(setup.globalPrefix);
  if (setup.jsonLimit !== undefined && platform === 'express') {
    (app as unknown as { useBodyParser(type: string, options: object): void }).useBodyParser('json', { limit: setup.jsonLimit });
  }
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}
