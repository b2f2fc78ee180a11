/**
 * @module controller — the controller class the module registers, made per path: Nest reads a
 * controller's path from its class metadata, so a configured path needs a class of its own.
 */
import { Controller, Inject, Post, Req, Res, type Type } from '@nestjs/common';
import type { Webhooks } from '@x/together-webhooks-core';
import { answerDelivery, type NestPlatformRequest, type NestPlatformResponse, type OnResult } from './answer.js';
import { TOGETHER_WEBHOOKS } from './token.js';

/**
 * A controller answering `POST <path>` with the receiver injected under {@link TOGETHER_WEBHOOKS}.
 * The decorators are applied as functions, so the build needs no decorator compilation.
 *
 * @param path - the route, under the app's global prefix and versioning like any controller's
 * @param onResult - the optional hook
 * @returns the controller class
 */
export function webhookController(path: string, onResult: OnResult | undefined): Type<unknown> {
  class TogetherWebhooksController {
    constructor(private readonly webhooks: Webhooks) {}

    receive(req: NestPlatformRequest, res: NestPlatformResponse): Promise<void> {
      return answerDelivery(this.webhooks, req, res, onResult);
    }
  }
  const prototype = TogetherWebhooksController.prototype;
  Inject(TOGETHER_WEBHOOKS)(TogetherWebhooksController, undefined, 0);
  Controller(path)(TogetherWebhooksController);
  Post()(prototype, 'receive', Object.getOwnPropertyDescriptor(prototype, 'receive')!);
  // @Res() without passthrough: the answer is written here, status and all (Nest's POST default is 201).
  Req()(prototype, 'receive', 0);
  Res()(prototype, 'receive', 1);
  return TogetherWebhooksController;
}
