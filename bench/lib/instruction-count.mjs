/**
 * @module instruction-count — instructions a server executes per request, counted by valgrind's
 * callgrind: a measure that does not move with the machine's load.
 *
 * Why: on this two-core machine the same server measured in back-to-back rounds moves by 25% or
 * more, so a change of a few percent in an adapter cannot be seen in requests per second. An
 * instruction count is repeatable: two windows of 20 000 requests after 40 000 warm-up requests
 * agreed within about 2% (windows half as long, within 6%: where the garbage collector's cycles
 * fall, and the JIT still tiering up, move short ones). It is not the budget's
 * measure: it misses the kernel's share (system calls, which strace shows are the same for every
 * server here) and what memory costs (cache misses), and it counts every thread's instructions
 * serialized (the collector's helpers too). Use it to see whether a change removed work.
 *
 * The server runs under `valgrind --tool=callgrind` with counting off; after a warm-up load it is
 * switched on (`callgrind_control -z -i on`), one window of requests is sent, and the counts are
 * dumped (`callgrind_control -i off -d`) and read back.
 */
import { execFile, execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why instruction counting cannot run here, or `undefined` when valgrind and callgrind_control are installed. */
export function instructionCountUnavailable() {
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      return `${tool} is not installed (Debian package valgrind)`;
    }
  }
  return undefined;
}

/**
 * Forks `benchFile --serve <kind>` under callgrind, counting nothing until told to.
 *
 * @param {string} benchFile - the bench module (a path)
 * @param {string} kind - which server it serves
 * @param {string} outDir - where callgrind writes its dumps
 * @returns {import('node:child_process').ChildProcess}
 */
export function forkUnderCallgrind(benchFile, kind, outDir) {
  return fork(benchFile, ['--serve', kind], {
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      '--instr-atstart=no',
      // V8 writes machine code into the heap: without this valgrind runs stale translations.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(outDir, `${kind}.%p`)}`,
      process.execPath,
    ],
    // valgrind's own banner goes to stderr: kept out of the bench's output.
    stdio: ['ignore', 'inherit', 'ignore', 'ipc'],
  });
}

/** A fresh directory for callgrind's dumps, and its removal. */
export function callgrindOutDir() {
  const dir = mkdtempSync(join(tmpdir(), 'together-webhooks-callgrind-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Counts the instructions `pid` executes while `send()` runs, in one window.
 *
 * @param {number} pid - the valgrind process (fork keeps the pid: valgrind runs node in it)
 * @param {string} outDir - the directory given to {@link forkUnderCallgrind}
 * @param {() => Promise<number>} send - sends the window's requests; resolves how many were answered
 * @returns {Promise<number>} instructions per answered request
 */
export async function instructionsPerRequest(pid, outDir, send) {
  const control = (...args) => run('callgrind_control', [...args, String(pid)], { timeout: 60_000 });
  const before = new Set(dumpsOf(outDir, pid));
  await control('-z');
  await control('-i', 'on');
  const answered = await send();
  await control('-i', 'off');
  await control('-d');
  const dump = dumpsOf(outDir, pid).find((name) => !before.has(name));
  if (dump === undefined) throw new Error(`callgrind wrote no dump for process ${pid}`);
  const totals = /^totals: (\d+)/m.exec(readFileSync(join(outDir, dump), 'utf8'));
  if (!totals) throw new Error(`callgrind's dump ${dump} has no totals line`);
  return Number(totals[1]) / answered;
}

// Dumps are named <kind>.<pid>.<n>, one per `callgrind_control -d`.
function dumpsOf(outDir, pid) {
  return readdirSync(outDir).filter((name) => new RegExp(`\\.${pid}\\.\\d+$`).test(name));
}
