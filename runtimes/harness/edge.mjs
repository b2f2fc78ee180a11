/**
 * @module edge — the entry bundled for Vercel's edge runtime (conditions edge-light, worker,
 * browser): exposes one global the test calls inside the VM.
 */
import * as core from '@x/together-webhooks-core';
import { conformanceReport } from './agreement.mjs';

globalThis.__togetherConformance = async (input) => JSON.stringify(await conformanceReport(core, JSON.parse(input)));
