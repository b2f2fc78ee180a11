/**
 * The README's examples type-check, exactly as written, as they would in a user's Nest app against
 * the published types (pnpm build): readme.test.ts runs them after esbuild, which strips types
 * without checking them, so a wrong option name or a misused decorator would still pass there.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { readmeExample } from '@x/together-webhooks-test-support';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readmePath = join(packageDir, 'README.md');
// Inside the package, so `@x/together-webhooks-nestjs` resolves by its own name to dist, and
// `@nestjs/*`, the core and reflect-metadata through the package's node_modules, as a user's would.
const checkDir = join(packageDir, '.tmp', 'readme-types');
const markers = ['readme-example', 'readme-fastify', 'readme-async'] as const;

// A Nest app's tsconfig (Nest's starter: decorators with metadata, isolatedModules for SWC, NodeNext)
// made stricter: strictness flags only add errors, so passing here passes under the starter's too.
const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  isolatedModules: true,
  esModuleInterop: true,
  forceConsistentCasingInFileNames: true,
  skipLibCheck: true,
  types: ['node'],
  noEmit: true,
};

/** A block with one deliberate type error, which the checker must report on the line changed. */
interface Mutant {
  name: string;
  marker: (typeof markers)[number];
  from: string;
  to: string;
  message: string;
}

const mutants: Mutant[] = [
  {
    name: 'a wrong option name',
    marker: 'readme-example',
    from: "path: '/webhooks/together'",
    to: "route: '/webhooks/together'",
    message: "Object literal may only specify known properties, and 'route' does not exist in type 'TogetherWebhooksModuleOptions'.",
  },
  {
    name: 'a decorator factory used as a decorator',
    marker: 'readme-async',
    from: '@Injectable()',
    to: '@Injectable',
    message: "TS1270: Decorator function return type 'ClassDecorator' is not assignable to type 'void | typeof Deployments'.",
  },
  {
    name: 'a method the module does not have',
    marker: 'readme-fastify',
    from: 'TogetherWebhooksModule.forRoot(',
    to: 'TogetherWebhooksModule.register(',
    message: "Property 'register' does not exist on type 'typeof TogetherWebhooksModule'.",
  },
  {
    name: 'a field the typed event does not have',
    marker: 'readme-async',
    from: 'event.data.model_output_name',
    to: 'event.data.output_model',
    message: "Property 'output_model' does not exist on type",
  },
  {
    // The blocks' `!` on the secret is there because of strict null checks: dropping it must fail.
    name: 'a possibly undefined secret (strict is on)',
    marker: 'readme-fastify',
    from: 'process.env.TOGETHER_WEBHOOK_SECRET!',
    to: 'process.env.TOGETHER_WEBHOOK_SECRET',
    message: "Type 'undefined' is not assignable to type 'string",
  },
];

interface Reported {
  line: number;
  text: string;
}

// `.mts`: an ES module whatever package.json says, as the blocks' top-level `await` needs.
function blockFile(name: string): string {
  return join(checkDir, `${name}.mts`);
}

/** 1-based line of `index` in `text`. */
function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The README line of the block's first line, so a diagnostic also names the line to edit. */
function readmeLineOfBlock(marker: string, code: string): number {
  const readme = readFileSync(readmePath, 'utf8');
  return lineOf(readme, readme.indexOf(code, readme.indexOf(`<!-- ${marker} -->`)));
}

let program: ts.Program;

function diagnosticsOf(file: string): Reported[] {
  const sourceFile = program.getSourceFile(file);
  if (sourceFile === undefined) throw new Error(`${file} is not in the program`);
  return ts.getPreEmitDiagnostics(program, sourceFile).map((diagnostic) => {
    const message = `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    if (diagnostic.file === undefined || diagnostic.start === undefined) return { line: 0, text: message };
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { line: line + 1, text: `${relative(packageDir, diagnostic.file.fileName)}:${line + 1}:${character + 1} ${message}` };
  });
}

beforeAll(() => {
  rmSync(checkDir, { recursive: true, force: true });
  mkdirSync(checkDir, { recursive: true });
  for (const marker of markers) writeFileSync(blockFile(marker), readmeExample(readmePath, marker));
  mutants.forEach((mutant, index) => {
    writeFileSync(blockFile(`mutant-${index}`), readmeExample(readmePath, mutant.marker).replace(mutant.from, () => mutant.to));
  });
  const host = ts.createCompilerHost(compilerOptions);
  // Resolve `types: ['node']` from the package, as a user's app resolves it from its own root.
  host.getCurrentDirectory = () => packageDir;
  // One program for every file: loading Nest's and Node's declarations is most of the cost.
  program = ts.createProgram([...markers.map(blockFile), ...mutants.map((_, index) => blockFile(`mutant-${index}`))], compilerOptions, host);
}, 20_000);

describe('README examples type-check (against the types of the build: pnpm build)', () => {
  it.each(markers)('%s type-checks as written', (marker) => {
    const start = readmeLineOfBlock(marker, readmeExample(readmePath, marker));
    const reported = diagnosticsOf(blockFile(marker)).map(({ line, text }) => `${text} (README.md:${start + line - 1})`);
    expect(reported).toEqual([]);
  });

  it.each(mutants.map((mutant, index) => ({ ...mutant, index })))('reports $name in a copy of $marker, on the line changed only', ({ marker, from, message, index }) => {
    const code = readmeExample(readmePath, marker);
    expect(code.includes(from), `the ${marker} block no longer contains ${JSON.stringify(from)}: update the case`).toBe(true);
    const reported = diagnosticsOf(blockFile(`mutant-${index}`));
    expect(reported.map(({ line }) => line)).toEqual(reported.map(() => lineOf(code, code.indexOf(from))));
    expect(reported.map(({ text }) => text)).toContainEqual(expect.stringContaining(message));
  });
});
