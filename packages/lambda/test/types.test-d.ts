import type {
  ALBEvent,
  ALBHandler,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  LambdaFunctionURLEvent,
  LambdaFunctionURLHandler,
} from 'aws-lambda';
import { describe, expectTypeOf, it } from 'vitest';
import { createWebhooks } from '@x/together-webhooks-core';
import { createLambdaHandler, type AlbResult, type HttpApiResult, type RestApiResult } from '../src/index.js';

describe('types', () => {
  const handler = createLambdaHandler(createWebhooks({ secret: 'whsec_types' }));

  it('is assignable to the @types/aws-lambda handler of every source', () => {
    expectTypeOf(handler).toExtend<APIGatewayProxyHandler>();
    expectTypeOf(handler).toExtend<APIGatewayProxyHandlerV2>();
    expectTypeOf(handler).toExtend<LambdaFunctionURLHandler>();
    expectTypeOf(handler).toExtend<ALBHandler>();
  });

  it('answers each event type with its source shape', () => {
    expectTypeOf(handler<APIGatewayProxyEvent>).returns.resolves.toEqualTypeOf<RestApiResult>();
    expectTypeOf(handler<APIGatewayProxyEventV2>).returns.resolves.toEqualTypeOf<HttpApiResult>();
    expectTypeOf(handler<LambdaFunctionURLEvent>).returns.resolves.toEqualTypeOf<HttpApiResult>();
    expectTypeOf(handler<ALBEvent>).returns.resolves.toEqualTypeOf<AlbResult>();
  });
});
