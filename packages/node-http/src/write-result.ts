/**
 * @module write-result — writes a result to a Node `ServerResponse`.
 */
import type { ServerResponse } from 'node:http';
import type { WebhookResult } from '@x/together-webhooks-core';

/**
 * Writes `status`, `headers` and the JSON `body` of a result, with its `content-length`.
 * Headers set earlier on `res` (by other middleware) are kept unless the result names them.
 *
 * @param res - the response, not yet sent
 * @param result - what `handle()` answered
 */
export function writeResult(res: ServerResponse, result: WebhookResult): void {
  const json = JSON.stringify(result.body);
  res.writeHead(result.status, { ...result.headers, 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
