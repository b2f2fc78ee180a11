/**
 * @module readme — the code blocks of a README, so a test runs the examples users copy: each block
 * follows a line `<!-- <marker> -->`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fenced code block of a README that follows the line `<!-- <marker> -->`.
 *
 * @param readmePath - the README file
 * @param marker - the comment's text, such as `readme-example` or `example:ioredis`
 * @returns the block's code, exactly as written
 */
export function readmeExample(readmePath: string, marker: string): string {
  const readme = readFileSync(readmePath, 'utf8');
  const escaped = marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`<!-- ${escaped} -->\\s*\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\``);
  const match = pattern.exec(readme);
  if (!match?.[1]) throw new Error(`${readmePath} has no code block after <!-- ${marker} -->`);
  return match[1];
}

function tmpFile(packageDir: string, marker: string, extension: string): string {
  const dir = join(packageDir, '.tmp');
  mkdirSync(dir, { recursive: true });
  return join(dir, `readme-${marker.replace(/[^a-zA-Z0-9_-]/g, '-')}.${extension}`);
}

/**
 * Writes the TypeScript block after `<!-- <marker> -->` of `packageDir`'s README, as written, into
 * the package's `.tmp/` folder, for a test to `import()` through vitest (which compiles it and
 * applies the project's aliases).
 *
 * @returns the file's path
 */
export function writeReadmeSource(packageDir: string, marker: string): string {
  const file = tmpFile(packageDir, marker, 'ts');
  writeFileSync(file, readmeExample(join(packageDir, 'README.md'), marker));
  return file;
}

/**
 * Writes the block after `<!-- <marker> -->`, compiled from TypeScript to an ES module, into the
 * package's `.tmp/` folder, so it runs as its own process (or is imported) with the packages it
 * names resolved as in a user's app: the builds.
 *
 * @returns the file's path
 */
export async function writeReadmeExample(packageDir: string, marker: string): Promise<string> {
  const { transform } = await import('esbuild');
  const { code } = await transform(readmeExample(join(packageDir, 'README.md'), marker), { loader: 'ts', format: 'esm' });
  const file = tmpFile(packageDir, marker, 'mjs');
  writeFileSync(file, code);
  return file;
}
