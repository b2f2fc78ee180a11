/**
 * @module run-vectors — runs the known-answer vectors of both schemes (vectors.json for the
 * default one, standard-webhooks-vectors.json) against one build of the core, in whatever runtime
 * loaded it. Uses only what every runtime has (Uint8Array, atob, Headers and Request where
 * present): no Node built-ins, no Buffer, no process.
 */
import standardWebhooksFile from './standard-webhooks-vectors.json' with { type: 'json' };
import togetherFile from './vectors.json' with { type: 'json' };

/** The vector files by scheme name, as committed (signatures by OpenSSL). */
export const vectorFiles = { together: togetherFile, 'standard-webhooks': standardWebhooksFile };

/**
 * The options that select a vector file's scheme, from the core as the runtime imported it: none
 * for the default scheme (the path most users take), `scheme: standardWebhooksScheme()` otherwise.
 */
export function schemeOptions(core, name) {
  if (name === 'together') return {};
  if (typeof core.standardWebhooksScheme !== 'function') throw new TypeError('this build of the core has no standardWebhooksScheme()');
  return { scheme: core.standardWebhooksScheme() };
}

function fromBase64(base64) {
  const binary = globalThis.atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Names the runtime and its version, from globals only. */
export function describeRuntime() {
  const g = globalThis;
  if (typeof g.Deno === 'object' && g.Deno !== null) return { name: 'deno', version: g.Deno.version.deno };
  if (typeof g.Bun === 'object' && g.Bun !== null) return { name: 'bun', version: g.Bun.version };
  if (typeof g.EdgeRuntime === 'string') return { name: 'edge-runtime', version: g.EdgeRuntime };
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: 'Cloudflare-Workers' };
  if (typeof g.process === 'object' && g.process?.versions?.node) return { name: 'node', version: g.process.versions.node };
  if (typeof g.navigator?.userAgent === 'string') return { name: 'browser', version: g.navigator.userAgent };
  return { name: 'unknown', version: 'unknown' };
}

function headerPairs(headers) {
  if (Array.isArray(headers)) return headers;
  const pairs = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const item of Array.isArray(value) ? value : [value]) pairs.push([name, item]);
  }
  return pairs;
}

function toRequest(body, headers) {
  const fetchHeaders = new globalThis.Headers();
  for (const [name, value] of headerPairs(headers)) fetchHeaders.append(name, value);
  return new globalThis.Request('https://receiver.example/webhooks/together', { method: 'POST', body, headers: fetchHeaders });
}

/** Compares one outcome (an event, or what was thrown) with what the vector expects. */
function judge(core, vector, outcome) {
  const { expect } = vector;
  const secrets = Array.isArray(vector.secret) ? vector.secret : [vector.secret];
  if (outcome.threw) {
    const error = outcome.error;
    const known = error instanceof core.WebhookVerificationError;
    const got = known ? `${error.code}/${error.status}` : `${error?.name}: ${error?.message}`;
    if (expect.ok) return `expected event ${expect.id}, threw ${got}`;
    // Misconfiguration: a TypeError of this runtime's realm, never a verification error.
    if (expect.error) {
      if (known || error?.name !== expect.error) return `expected a ${expect.error}, threw ${got}`;
      // (A secret that is only the `whsec_` prefix holds no key, and the message names the prefix.)
      const leaked = secrets.some((secret) => secret.replace(/^whsec_/, '') !== '' && error.message.includes(secret));
      return leaked ? 'error message contains the secret' : undefined;
    }
    if (!known) return `expected ${expect.code}, threw ${got}`;
    if (error.name !== 'WebhookVerificationError') return `error.name is ${error.name}`;
    if (error.code !== expect.code || error.status !== expect.status) return `expected ${expect.code}/${expect.status}, got ${got}`;
    if (secrets.some((secret) => error.message.includes(secret))) return 'error message contains the secret';
    return undefined;
  }
  const event = outcome.value;
  if (!expect.ok) return `expected ${expect.code ?? expect.error}, got event ${event?.id}`;
  if (event?.id !== expect.id || event?.type !== expect.type) return `expected ${expect.id}/${expect.type}, got ${event?.id}/${event?.type}`;
  // The Standard Webhooks event: the payload's timestamp handed over as `created`, no `timestamp`.
  if ('created' in expect && (event.created !== expect.created || 'timestamp' in event)) {
    return `created is ${JSON.stringify(event.created)} (timestamp ${JSON.stringify(event.timestamp)}), expected ${JSON.stringify(expect.created)}`;
  }
  for (const [field, value] of Object.entries(expect.fields ?? {})) {
    if (event[field] !== value) return `${field} is ${JSON.stringify(event[field])}, expected ${JSON.stringify(value)}`;
  }
  if (expect.dataField) {
    const [field, value] = expect.dataField;
    if (event.data?.[field] !== value) return `data.${field} is ${JSON.stringify(event.data?.[field])}, expected ${JSON.stringify(value)}`;
  }
  return undefined;
}

async function attempt(run) {
  try {
    return { threw: false, value: await run() };
  } catch (error) {
    return { threw: true, error };
  }
}

/**
 * Runs every vector of both schemes through `verifySync` (Uint8Array body), `verify` (ArrayBuffer
 * body) and, where the runtime has a Fetch `Request`, `verify(request)`, with the file's scheme
 * ({@link schemeOptions}); then checks `sign` against OpenSSL.
 *
 * @param core - the module as the runtime imported it: `{ verify, verifySync, sign, standardWebhooksScheme, WebhookVerificationError, cryptoBackend }`
 * @returns a report: runtime, `cryptoBackend`, counts, the names that failed and a result per vector (with its scheme)
 */
export async function runVectors(core) {
  const { verify, verifySync, sign, cryptoBackend } = core;
  const hasRequest = typeof globalThis.Request === 'function' && typeof globalThis.Headers === 'function';
  const results = [];

  for (const [schemeName, file] of Object.entries(vectorFiles)) {
    const scheme = schemeOptions(core, schemeName);
    for (const vector of file.vectors) {
      const bytes = fromBase64(vector.bodyBase64);
      const options = { ...vector.options, secret: vector.secret, ...scheme, now: () => vector.now };
      const ways = {
        'verifySync(Uint8Array)': () => verifySync({ body: bytes, headers: vector.headers }, options),
        'verify(ArrayBuffer)': () => verify({ body: bytes.slice().buffer, headers: vector.headers }, options),
      };
      if (hasRequest) ways['verify(Request)'] = () => verify(toRequest(bytes.slice(), vector.headers), options);
      const problems = [];
      for (const [way, run] of Object.entries(ways)) {
        const problem = judge(core, vector, await attempt(run));
        if (problem) problems.push(`${way}: ${problem}`);
      }
      results.push({ scheme: schemeName, name: vector.name, pass: problems.length === 0, ways: Object.keys(ways), ...(problems.length ? { problems } : {}) });
    }

    for (const vector of file.signVectors) {
      const bytes = fromBase64(vector.bodyBase64);
      const body = vector.asText ? new TextDecoder().decode(bytes) : bytes;
      const options = { secret: vector.secret, timestamp: vector.timestamp, ...scheme, ...(vector.id ? { id: vector.id } : {}) };
      const outcome = await attempt(() => sign(body, options));
      const headers = outcome.threw ? {} : outcome.value;
      // Exactly the expected headers: no more, none different.
      const names = Object.keys(vector.expected);
      const pass = names.every((name) => headers[name] === vector.expected[name]) && Object.keys(headers).length === names.length;
      const got = outcome.threw ? `threw ${outcome.error}` : JSON.stringify(headers);
      results.push({ scheme: schemeName, name: vector.name, pass, ...(pass ? {} : { problems: [`expected ${JSON.stringify(vector.expected)}, got ${got}`] }) });
    }
  }

  const failed = results.filter((result) => !result.pass).map((result) => `${result.scheme}: ${result.name}`);
  return {
    runtime: describeRuntime(),
    cryptoBackend,
    total: results.length,
    passed: results.length - failed.length,
    failed,
    results,
  };
}
