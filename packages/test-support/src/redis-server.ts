/**
 * @module redis-server — real redis-server processes for the tests: each on a free loopback port
 * (never 6379), in its own temporary directory, stopped after. Without redis-server the tests that
 * need it skip loudly, except under CI, where importing this module throws.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

function probeRedisServer(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  if (process.env.CI) {
    throw new Error('redis-server is not installed but CI is set: the Redis tests must run in CI (apt-get install redis-server)');
  }
  console.warn(
    '\n' +
      '**************************************************************************\n' +
      '*  redis-server was not found: the tests that need it are SKIPPED.       *\n' +
      '*  Install it (apt-get install redis-server) to run them.                *\n' +
      '**************************************************************************\n',
  );
  return false;
}

/** Whether the tests that need redis-server can run here (`describe.skipIf(!redisServerAvailable)`). */
export const redisServerAvailable = probeRedisServer();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends PING; true once the server answers PONG (not while it is still loading its data). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.write('PING\r\n');
  });
}

/** Options of {@link startRedis}. */
export interface RedisServerOptions {
  /** Append-only file with `appendfsync always`: every acknowledged write survives a SIGKILL. */
  persistent?: boolean;
}

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Its data directory (temporary, removed by `stop`). */
  readonly dir: string;
  /** Ends it abruptly (SIGKILL) and waits for the process to be gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory, after `kill`. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function launch(port: number, dir: string, persistent: boolean): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  args.push(...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
    if (await ping(port)) return child;
    await sleep(25);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING within 15 s:\n${output}`);
}

function waitForExit(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Starts a redis-server on a free port in a new temporary directory, nothing persisted unless asked. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const persistent = options.persistent ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'together-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may take the free port between the probe and the start: try a few.
  for (let attempt = 0; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, persistent);
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  let current: ChildProcess = child;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill: () => waitForExit(current, 'SIGKILL'),
    async restart() {
      current = await launch(port, dir, persistent);
    },
    async stop() {
      await waitForExit(current, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one command through redis-cli on `server` and returns its raw output. */
export function redisCli(server: RedisServer, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(server.port), ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}
