/**
 * @module print-report — the command-line harness's output for Node, Bun and Deno: one line of
 * JSON on stdout. The Node-signed delivery arrives as the first argument (JSON).
 */
import { conformanceReport } from './agreement.mjs';

/**
 * @param core - the module as the caller imported it
 * @param resolved - the file the runtime resolved the package to, when it can tell
 */
export async function printReport(core, resolved) {
  const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
  const fromNode = args[0] ? JSON.parse(args[0]) : undefined;
  const report = await conformanceReport(core, fromNode);
  console.log(JSON.stringify({ ...report, resolved }));
}
