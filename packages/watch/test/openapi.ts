/**
 * Together's own OpenAPI description (a copy in `fixtures/together-openapi/`, MIT; see its README),
 * its response schemas compiled with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1), and a
 * Prism mock server generated from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort } from '@x/together-webhooks-test-support';
import { missing, skipWithout } from '@x/together-webhooks-test-support/runtimes';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const OPENAPI_PATH = fileURLToPath(new URL('fixtures/together-openapi/openapi.yaml', import.meta.url));

interface OpenApiDocument {
  paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> } }>;
}

/**
 * Together's 3.1 file still carries OpenAPI 3.0's `nullable: true` in places; ajv (JSON Schema
 * 2020-12) reads it only beside a `type`. Rewritten as 3.1 says it: `type: [t, 'null']`.
 */
function nullableAsType(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullableAsType);
  if (typeof value !== 'object' || value === null) return value;
  const { nullable, ...rest } = value as Record<string, unknown>;
  const mapped = Object.fromEntries(Object.entries(rest).map(([key, inner]) => [key, nullableAsType(inner)]));
  if (nullable !== true) return mapped;
  if (typeof mapped['type'] === 'string') return { ...mapped, type: [mapped['type'], 'null'] };
  return { anyOf: [mapped, { type: 'null' }] };
}

/**
 * Two known defects of Together's file are worked around, here only. A fine-tune's `id` is given
 * `format: uuid`, while the file's own example (`ft-01234567890123456789`) and Together's real
 * ids are `ft-…`: the format is not checked. And `EvaluationJob.results` is a
 * `oneOf` of four object schemas none of which requires a field, so every results object matches
 * several and no evaluation with results could ever validate. Read as the `anyOf` it means.
 */
function patchKnownDefects(document: OpenApiDocument): OpenApiDocument {
  const results = (document as { components?: { schemas?: Record<string, { properties?: Record<string, Record<string, unknown>> }> } }).components?.schemas?.['EvaluationJob']
    ?.properties?.['results'];
  const inner = (results?.['anyOf'] as Record<string, unknown>[] | undefined)?.[0];
  if (inner?.['oneOf'] !== undefined) {
    inner['anyOf'] = inner['oneOf'];
    inner['oneOf'] = undefined;
  }
  const fineTuneId = (document as { components?: { schemas?: Record<string, { properties?: Record<string, Record<string, unknown>> }> } }).components?.schemas?.['FinetuneResponse']
    ?.properties?.['id'];
  if (fineTuneId) fineTuneId['format'] = undefined;
  return JSON.parse(JSON.stringify(document)) as OpenApiDocument;
}

export const openapi = patchKnownDefects(nullableAsType(parse(readFileSync(OPENAPI_PATH, 'utf8'))) as OpenApiDocument);

// Unknown words in Together's schemas (`example` and the like) are annotations, not checks.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(openapi, 'openapi');

const pointer = (...parts: string[]): string => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The OpenAPI path template a concrete request path matches (`/fine-tunes/ft-1` → `/fine-tunes/{id}`). */
export function operationPath(path: string): string | undefined {
  return Object.keys(openapi.paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path) && openapi.paths[template]?.get);
}

const validators = new Map<string, ValidateFunction>();

/** The validator of the 200 answer of `GET <template>`. */
export function responseValidator(template: string): ValidateFunction {
  let validate = validators.get(template);
  if (!validate) {
    const schema = openapi.paths[template]?.get?.responses?.['200']?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`the OpenAPI file has no JSON 200 answer for GET ${template}`);
    validate = ajv.compile({ $ref: `openapi#/${pointer('paths', template, 'get', 'responses', '200', 'content', 'application/json', 'schema')}` });
    validators.set(template, validate);
  }
  return validate;
}

const require = createRequire(import.meta.url);
const prismBin = ((): string | undefined => {
  try {
    return require.resolve('@stoplight/prism-cli/dist/index.js');
  } catch {
    return undefined;
  }
})();

/** Whether to skip the Prism tests (never under CI: they fail there instead). */
export const skipWithoutPrism = skipWithout('@stoplight/prism-cli', prismBin !== undefined, 'pnpm install in packages/watch', 'the tests against a mock of Together’s OpenAPI description');

/** A running `prism mock`. */
export interface PrismMock {
  readonly baseURL: string;
  stop(): Promise<void>;
}

/** Starts `prism mock` (dynamic answers) on a free loopback port; rejects, naming why, if it does not start. */
export async function startPrism(): Promise<PrismMock> {
  if (prismBin === undefined) throw missing('@stoplight/prism-cli', 'pnpm install in packages/watch');
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [prismBin, 'mock', '--dynamic', '--host', '127.0.0.1', '--port', String(port), '--errors', 'false', OPENAPI_PATH], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism mock exited with ${child.exitCode}: ${output}`);
    if (/Prism is listening/.test(output)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prism mock did not start within 60 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseURL: `http://127.0.0.1:${port}`, stop };
}
