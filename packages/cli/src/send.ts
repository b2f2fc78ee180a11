/**
 * @module send — one POST of a delivery, timed, with the answer read the way every
 * together-webhooks receiver writes it (`{ ok, outcome, error?, message? }`).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the endpoint answered, or why there was no answer. */
export interface Answer {
  /** HTTP status; absent when no answer came (connection refused, timeout). */
  status?: number;
  /** The body's `outcome` (processed, duplicate, rejected, …), when the receiver gave one. */
  outcome?: string;
  /** The body's `error` (a rejection code), or why there was no answer. */
  error?: string;
  /** The body's `message`, for a rejection. */
  message?: string;
  /** Milliseconds from sending to the end of the answer's body, to 0.1 ms. */
  ms: number;
}

// node:http rather than fetch: fetch refuses "bad ports" (6000, 6665-6669, 10080, …) that local
// dev servers do use, and hides the socket error's code.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/**
 * POSTs `body` with `headers` and reads the answer.
 *
 * @param url - the endpoint
 * @param body - the exact body
 * @param headers - the signature headers and content type
 * @param timeoutMs - abandon the request after this long
 * @returns the answer; never rejects
 */
export function deliver(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Answer> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: secure ? agents.https : agents.http,
      timeout: timeoutMs,
    });
    request.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, ...fieldsOf(Buffer.concat(chunks).toString('utf8')), ms: elapsed() });
      });
      response.on('error', (error) => resolve({ error: reasonOf(error), ms: elapsed() }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ error: reasonOf(error), ms: elapsed() }));
    request.end(body);
  });
}

/** Lets the process exit: closes the kept-alive connections. */
export function closeConnections(): void {
  agents.http.destroy();
  agents.https.destroy();
}

function fieldsOf(text: string): Pick<Answer, 'outcome' | 'error' | 'message'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const fields: Pick<Answer, 'outcome' | 'error' | 'message'> = {};
  const { outcome, error, message } = parsed as Record<string, unknown>;
  if (typeof outcome === 'string') fields.outcome = outcome;
  if (typeof error === 'string') fields.error = error;
  if (typeof message === 'string') fields.message = message;
  return fields;
}

function reasonOf(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): is the receiver running on that port?';
  if (error.code === 'ECONNRESET') return 'the connection was reset before an answer (ECONNRESET)';
  return error.code ? `${error.code}: ${error.message}` : error.message;
}
