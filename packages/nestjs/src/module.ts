/**
 * @module module — `TogetherWebhooksModule.forRoot({ webhooks, path })`: a controller at `path`
 * answering signed deliveries with the receiver's `handle()`.
 */
import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import type { Webhooks } from '@x/together-webhooks-core';
import type { OnResult } from './answer.js';
import { webhookController } from './controller.js';
import { TOGETHER_WEBHOOKS } from './token.js';

/** The route the module serves when no `path` is given. */
export const DEFAULT_WEBHOOK_PATH = '/webhooks/together';

/** What both `forRoot` and `forRootAsync` take besides the receiver. */
export interface TogetherWebhooksRouteOptions {
  /** The route (`POST`), under the app's global prefix. Default `/webhooks/together`. */
  path?: string;
  /**
   * Called with each result just before it is written (logging, metrics, extra headers on the
   * response). It must not write the response itself.
   */
  onResult?: OnResult;
}

/** Options of {@link TogetherWebhooksModule.forRoot}. */
export interface TogetherWebhooksModuleOptions extends TogetherWebhooksRouteOptions {
  /** The receiver from `createWebhooks()`, with its handlers. */
  webhooks: Webhooks;
}

/** Options of {@link TogetherWebhooksModule.forRootAsync}: the receiver built by a factory, with injection. */
export interface TogetherWebhooksModuleAsyncOptions extends TogetherWebhooksRouteOptions {
  /** Modules whose providers the factory injects (`ConfigModule`). */
  imports?: ModuleMetadata['imports'];
  /** The tokens whose providers are passed to `useFactory`, in order. */
  inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
  /** Builds the receiver; its handlers can call the injected services. */
  useFactory: (...deps: never[]) => Webhooks | Promise<Webhooks>;
}

/**
 * Serves a Together webhooks receiver in a Nest app: a controller answering `POST path` with the
 * receiver's `handle()`, on the Express and the Fastify platform. Create the app with raw bodies
 * kept, `NestFactory.create(AppModule, { rawBody: true })`: the signature covers the exact bytes.
 *
 * @example
 * ```ts
 * import { Module } from '@nestjs/common';
 * import { createWebhooks, memoryStore } from '@x/together-webhooks-core';
 * import { TogetherWebhooksModule } from '@x/together-webhooks-nestjs';
 *
 * const webhooks = createWebhooks({ secret: process.env.TOGETHER_WEBHOOK_SECRET!, store: memoryStore() });
 * webhooks.on('fine_tune.completed', (event) => console.log(event.data.model_output_name));
 *
 * @Module({ imports: [TogetherWebhooksModule.forRoot({ webhooks, path: '/webhooks/together' })] })
 * export class AppModule {}
 * // main.ts: const app = await NestFactory.create(AppModule, { rawBody: true });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- Nest knows a module by its class; static forRoot/forRootAsync are Nest's convention
export class TogetherWebhooksModule {
  /**
   * The module for a receiver built beforehand.
   *
   * @param options - the receiver, and the route's path
   * @returns the dynamic module to import
   */
  static forRoot(options: TogetherWebhooksModuleOptions): DynamicModule {
    return moduleFor(options, { provide: TOGETHER_WEBHOOKS, useValue: options.webhooks }, []);
  }

  /**
   * The module for a receiver built by a factory, for handlers that use the app's services or a
   * secret from its configuration: `useFactory: (config: ConfigService) => createWebhooks({ … })`.
   *
   * @param options - the factory, what it injects, and the route's path
   * @returns the dynamic module to import
   */
  static forRootAsync(options: TogetherWebhooksModuleAsyncOptions): DynamicModule {
    const provider: Provider = {
      provide: TOGETHER_WEBHOOKS,
      useFactory: options.useFactory as (...deps: unknown[]) => Webhooks | Promise<Webhooks>,
      inject: options.inject ?? [],
    };
    return moduleFor(options, provider, options.imports ?? []);
  }
}

// Applied as a function, like the controller's decorators: the build needs no decorator compilation.
Module({})(TogetherWebhooksModule);

function moduleFor(options: TogetherWebhooksRouteOptions, provider: Provider, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
  const { path = DEFAULT_WEBHOOK_PATH, onResult } = options;
  if (typeof path !== 'string' || path === '') throw new TypeError('TogetherWebhooksModule: path must be a non-empty string such as "/webhooks/together"');
  return {
    module: TogetherWebhooksModule,
    imports,
    controllers: [webhookController(path, onResult)],
    providers: [provider],
    exports: [TOGETHER_WEBHOOKS],
  };
}
