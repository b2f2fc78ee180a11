/**
 * The table of delivery cases against the core alone: `handle()` behind a bare node:http server
 * that reads the body and writes the result, no framework and no adapter. Every adapter's run of
 * the table is measured against the same answers, so this run proves the table asks for what the
 * core answers.
 */
import { createServer } from 'node:http';
import { WebhookVerificationError } from '@x/together-webhooks-core';
import { describeDeliveryCases, serveNode } from '../src/delivery-cases.js';

describeDeliveryCases(
  'the core behind bare node:http',
  (routes) =>
    serveNode(
      createServer((req, res) => {
        const route = routes.find((candidate) => candidate.path === req.url);
        if (!route) return void res.writeHead(404).end();
        const { webhooks } = route;
        const write = (result: ReturnType<typeof webhooks.resultForError>): void => {
          res.writeHead(result.status, result.headers).end(JSON.stringify(result.body));
        };
        if (Number(req.headers['content-length']) > webhooks.maxBodyBytes) return write(webhooks.resultForError(new WebhookVerificationError('payload_too_large')));
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (chunk: Buffer): void => {
          size += chunk.byteLength;
          if (size <= webhooks.maxBodyBytes) return void chunks.push(chunk);
          req.off('data', onData).pause();
          write(webhooks.resultForError(new WebhookVerificationError('payload_too_large')));
        };
        req.on('data', onData);
        req.on('end', () => void webhooks.handle({ body: Buffer.concat(chunks), headers: req.headers }).then(write));
      }),
    ),
  { parserFirst: { none: 'bare node:http has no body parser' } },
);
