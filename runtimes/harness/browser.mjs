/**
 * @module browser — the page script for headless Chromium, bundled as a browser app is
 * (esbuild platform browser): exposes one global the test calls in the page.
 */
import * as core from '@x/together-webhooks-core';
import { conformanceReport } from './agreement.mjs';

globalThis.__togetherConformance = async (input) => JSON.stringify(await conformanceReport(core, JSON.parse(input)));
globalThis.__togetherReady = true;
