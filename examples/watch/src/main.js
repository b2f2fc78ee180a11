import { run } from './run.js';

// Ctrl-C ends a live run early, after the watcher has stopped cleanly.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const { complete } = await run({ signal: controller.signal });
process.exitCode = complete ? 0 : 1;
