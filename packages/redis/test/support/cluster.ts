/**
 * Several child processes, each a real HTTP server over one shared store: the parent bundles a
 * child entry (TypeScript) with esbuild, starts the processes and counts their handler runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** The child's entry: a TypeScript file calling `serveChild`, inside a package's `test/`. */
  entry: string;
  processes: number;
  secret: string;
  leaseMs: number;
  /** Extra environment of every child (where the store is). */
  env?: Record<string, string>;
}

/** What the children recorded, by event id. */
export interface ClusterRecord {
  /** Handler runs that got past the first-attempt failure. */
  runs: Map<string, number>;
  /** First attempts that threw on purpose. */
  failures: Map<string, number>;
  /** Errors reported to onError, by phase. */
  errors: Map<string, string[]>;
}

/** Running children. */
export interface Cluster {
  readonly urls: readonly string[];
  record(): ClusterRecord;
  stop(): Promise<void>;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => reject(new Error(`child did not listen within ${timeoutMs} ms:\n${errors}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\S+)\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code} before listening:\n${errors}`));
    });
  });
}

/** Bundles `entry` next to its package's node_modules and starts `processes` children. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  // <package>/test/fixtures/<name>.ts -> <package>/.tmp/<name>.mjs, so packages resolve as the package's.
  const packageDir = dirname(dirname(dirname(options.entry)));
  const outDir = join(packageDir, '.tmp');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(options.entry, '.ts')}-${process.pid}.mjs`);
  await build({ entryPoints: [options.entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });

  const workDir = mkdtempSync(join(tmpdir(), 'together-cluster-'));
  const runsFile = join(workDir, 'runs.log');
  writeFileSync(runsFile, '');
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('exit', stopAll);
  try {
    const urls = await Promise.all(
      Array.from({ length: options.processes }, (_, index) => {
        const child = spawn(process.execPath, [outfile], {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: {
            ...process.env,
            ...options.env,
            CHILD_INDEX: String(index),
            RUNS_FILE: runsFile,
            WEBHOOK_SECRET: options.secret,
            LEASE_MS: String(options.leaseMs),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        });
        children.push(child);
        return waitForListening(child, 30_000);
      }),
    );
    return {
      urls,
      record() {
        const record: ClusterRecord = { runs: new Map(), failures: new Map(), errors: new Map() };
        for (const line of readFileSync(runsFile, 'utf8').split('\n')) {
          const [kind, id] = line.split(' ');
          if (kind === 'run') count(record.runs, id!);
          else if (kind === 'fail') count(record.failures, id!);
          else if (kind?.startsWith('error:')) record.errors.set(kind.slice(6), [...(record.errors.get(kind.slice(6)) ?? []), id!]);
        }
        return record;
      },
      async stop() {
        await Promise.all(
          children.map(
            (child) =>
              new Promise<void>((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
                child.once('exit', () => {
                  clearTimeout(timer);
                  resolve();
                });
                child.kill('SIGTERM');
              }),
          ),
        );
        process.removeListener('exit', stopAll);
        rmSync(workDir, { recursive: true, force: true });
        rmSync(outfile, { force: true });
      },
    };
  } catch (error) {
    stopAll();
    throw error;
  }
}
