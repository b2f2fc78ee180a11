/**
 * The table of delivery cases against the Lambda handler, one run per event source: each request
 * becomes the event that source delivers (from the recorded fixtures: API Gateway REST and HTTP
 * API, ALB single- and multi-value, the body base64-encoded as API Gateway does for binary
 * media), the handler for its route is invoked, and the result is read back in that source's shape.
 */
import { readFileSync } from 'node:fs';
import { describeDeliveryCases, type CaseAnswer, type CaseRequest } from '@x/together-webhooks-test-support/delivery-cases';
import { createLambdaHandler, type LambdaEvent } from '../src/index.js';

type Json = Record<string, unknown>;

const fixture = (file: string): Json => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as Json;

/** How one source carries the request: its headers and body fields, and where the path goes. */
interface Source {
  name: string;
  file: string;
  event: (request: CaseRequest, headers: Record<string, string>, body: string, isBase64Encoded: boolean) => Json;
}

const sources: Source[] = [
  {
    name: 'API Gateway REST (v1)',
    file: 'apigw-rest-no-auth.json',
    event: (request, headers, body, isBase64Encoded) => ({
      path: request.path,
      resource: request.path,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      body,
      isBase64Encoded,
    }),
  },
  {
    name: 'API Gateway HTTP API (v2)',
    file: 'apigw-http-no-auth.json',
    event: (request, headers, body, isBase64Encoded) => ({ rawPath: request.path, headers, body, isBase64Encoded }),
  },
  {
    name: 'ALB',
    file: 'alb-base.json',
    event: (request, headers, body, isBase64Encoded) => ({ path: request.path, headers, body, isBase64Encoded }),
  },
  {
    name: 'ALB, multi-value headers',
    file: 'alb-multi-fields.json',
    event: (request, headers, body, isBase64Encoded) => ({
      path: request.path,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      body,
      isBase64Encoded,
    }),
  },
];

/** The result in any source's shape, as the sender (through API Gateway or the ALB) gets it. */
function answerOf(result: Json): CaseAnswer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((result.headers ?? {}) as Record<string, string>)) headers[name.toLowerCase()] = value;
  for (const [name, values] of Object.entries((result.multiValueHeaders ?? {}) as Record<string, string[]>)) headers[name.toLowerCase()] = values.join(', ');
  const body = typeof result.body === 'string' ? result.body : '';
  const text = result.isBase64Encoded === true ? Buffer.from(body, 'base64').toString('utf8') : body;
  return { status: Number(result.statusCode), headers, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

for (const source of sources) {
  describeDeliveryCases(
    `Lambda behind ${source.name}`,
    async (routes) => {
      const handlers = new Map(routes.map((route) => [route.path, createLambdaHandler(route.webhooks)]));
      const base = fixture(source.file);
      return {
        async send(request) {
          const handler = handlers.get(request.path);
          if (!handler) throw new Error(`no route at ${request.path}`);
          const bytes = typeof request.body === 'string' ? Buffer.from(request.body) : Buffer.from(request.body);
          // The whole body, with its length, as the source delivers it (it buffered the request).
          const headers = { ...request.headers, 'content-length': String(bytes.byteLength) };
          const event = { ...base, ...source.event(request, headers, bytes.toString('base64'), true) } as unknown as LambdaEvent;
          return answerOf((await handler(event)) as unknown as Json);
        },
        close: () => Promise.resolve(),
      };
    },
    {
      parserFirst: { none: 'a Lambda event carries the body as text or base64: there is no body parser' },
      wholeBodies: 'API Gateway and the ALB buffer the whole request before the function runs',
      tooLargeConnection: { expect: 'absent', reason: 'API Gateway and the ALB own the connection, not the function' },
    },
  );
}
