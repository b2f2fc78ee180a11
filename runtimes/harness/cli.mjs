// Node ESM, Bun and Deno: the package imported by name, resolved by the runtime's own conditions.
import * as core from '@x/together-webhooks-core';
import { printReport } from './print-report.mjs';

await printReport(core, import.meta.resolve('@x/together-webhooks-core'));
