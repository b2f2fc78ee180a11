/**
 * @module events — the request events and responses of each HTTP event source, reduced to the
 * fields the handler reads or writes. The matching types of `@types/aws-lambda`
 * (`APIGatewayProxyEvent`, `APIGatewayProxyEventV2`, `LambdaFunctionURLEvent`, `ALBEvent` and their
 * results) are assignable to and from these.
 */

/** Header values as API Gateway and ALB pass them: one value per name. */
export type SingleValueHeaders = Record<string, string | undefined>;
/** Header values with every repetition kept. */
export type MultiValueHeaders = Record<string, string[] | undefined>;

/** API Gateway REST API proxy event (payload format 1.0; HTTP APIs can send it too). */
export interface RestApiEvent {
  headers: SingleValueHeaders | null;
  multiValueHeaders?: MultiValueHeaders | null | undefined;
  body: string | null;
  isBase64Encoded: boolean;
  requestContext: { httpMethod: string };
}

/** API Gateway HTTP API event (payload format 2.0), and Lambda Function URL events (same shape). */
export interface HttpApiEvent {
  headers?: SingleValueHeaders | undefined;
  body?: string | undefined;
  isBase64Encoded: boolean;
  requestContext: { http: { method: string } };
}

/** Application Load Balancer event: `headers`, or `multiValueHeaders` when the target group enables them. */
export interface AlbEvent {
  headers?: SingleValueHeaders | undefined;
  multiValueHeaders?: MultiValueHeaders | undefined;
  body: string | null;
  isBase64Encoded: boolean;
  requestContext: { elb: { targetGroupArn: string } };
}

/** Any event the handler accepts. */
export type LambdaEvent = RestApiEvent | HttpApiEvent | AlbEvent;

/** Response for API Gateway REST API (payload format 1.0). */
export interface RestApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Response for API Gateway HTTP API (payload format 2.0) and Function URLs. */
export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Response for an ALB: headers in the same mode as the request's, and a status line. */
export interface AlbResult {
  statusCode: number;
  statusDescription: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: false;
}

/** Any response the handler returns. */
export type LambdaResult = RestApiResult | HttpApiResult | AlbResult;

/** The response shape for an event of type `E`. */
export type LambdaResultFor<E extends LambdaEvent> = E extends { requestContext: { elb: unknown } }
  ? AlbResult
  : E extends { requestContext: { http: unknown } }
    ? HttpApiResult
    : RestApiResult;
