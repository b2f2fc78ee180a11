// Node with the portable build chosen explicitly, as a user avoiding node:crypto would.
import * as core from '@x/together-webhooks-core/portable';
import { printReport } from './print-report.mjs';

await printReport(core, import.meta.resolve('@x/together-webhooks-core/portable'));
