/**
 * A server on 127.0.0.1 that answers `SendMessage` the way SQS's JSON protocol does (MessageId,
 * and the MD5 of the body the SDK checks), and records each request. It is NOT SQS: it checks no
 * signature, IAM policy or queue attribute and deduplicates nothing; it shows the exact request
 * the SDK puts on the wire, and lets a test make SQS refuse (throttle) or go silent.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { close, listen } from '@x/together-webhooks-test-support';

/** One request the server received. */
export interface SqsRequest {
  target: string | undefined;
  contentType: string | undefined;
  input: Record<string, unknown>;
}

/** How the server answers: as SQS does, a throttling error, or never. */
export type SqsServerMode = 'accept' | 'throttle' | 'silent';

/** A running SQS-protocol server. */
export interface SqsProtocolServer {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** What it received so far. */
  readonly received: SqsRequest[];
  mode: SqsServerMode;
  close(): Promise<void>;
}

/** Starts the server on a free loopback port. */
export async function startSqsProtocolServer(): Promise<SqsProtocolServer> {
  const received: SqsRequest[] = [];
  const state = { mode: 'accept' as SqsServerMode };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ target: request.headers['x-amz-target'] as string | undefined, contentType: request.headers['content-type'], input });
      if (state.mode === 'silent') return;
      if (state.mode === 'throttle') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AWS.SimpleQueueService.RequestThrottled;Sender' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'throttled (test server)' }));
        return;
      }
      const md5 = createHash('md5').update(String(input.MessageBody)).digest('hex');
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
    });
  });
  const url = await listen(server);
  return {
    url,
    received,
    get mode() {
      return state.mode;
    },
    set mode(mode: SqsServerMode) {
      state.mode = mode;
    },
    close: () => close(server),
  };
}
