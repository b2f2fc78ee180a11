/**
 * Minimal request events of each source that can invoke the function over HTTP, carrying a
 * delivery. Real events carry more fields (request ids, source IP, ...); the handler reads only
 * these.
 */

/** API Gateway REST API, payload format 1.0: client header case, both header maps. */
export function restApiEvent({ body, headers, base64 = false }) {
  return {
    resource: '/webhooks/together',
    path: '/webhooks/together',
    httpMethod: 'POST',
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [titleCase(name), value])),
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [titleCase(name), [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { httpMethod: 'POST', path: '/prod/webhooks/together', stage: 'prod', requestId: 'example' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** API Gateway HTTP API, payload format 2.0 (lowercase headers). */
export function httpApiEvent({ body, headers, base64 = false }) {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/together',
    rawPath: '/webhooks/together',
    rawQueryString: '',
    headers,
    requestContext: { http: { method: 'POST', path: '/webhooks/together', protocol: 'HTTP/1.1' }, routeKey: 'POST /webhooks/together', stage: '$default' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** Lambda Function URL: the 2.0 shape, `$default` route, on a lambda-url domain. */
export function functionUrlEvent(delivery) {
  const event = httpApiEvent(delivery);
  return {
    ...event,
    routeKey: '$default',
    requestContext: { ...event.requestContext, routeKey: '$default', domainName: 'example.lambda-url.us-east-1.on.aws' },
  };
}

/** Application Load Balancer; `multiValue` for a target group with multi-value headers on. */
export function albEvent({ body, headers, base64 = false, multiValue = false }) {
  return {
    requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/example/0123456789abcdef' } },
    httpMethod: 'POST',
    path: '/webhooks/together',
    ...(multiValue
      ? { multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])), multiValueQueryStringParameters: {} }
      : { headers, queryStringParameters: {} }),
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

function titleCase(name) {
  return name.replace(/(^|-)([a-z])/g, (_match, dash, letter) => dash + letter.toUpperCase());
}
