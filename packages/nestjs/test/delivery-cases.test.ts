/**
 * The table of delivery cases against the module on NestJS 11, through real HTTP: the Express
 * platform with `rawBody: true` and with `bodyParser: false`, and the Fastify platform with
 * `rawBody: true`.
 */
import { json } from 'express';
import { describeDeliveryCases, httpTarget, type CaseTarget, type Differences, type StartTarget } from '@x/together-webhooks-test-support/delivery-cases';
import { TogetherWebhooksModule } from '../src/index.js';
import { startNestApp, type AppSetup, type Platform } from './nest-app.js';

// Nest's JSON parsers (body-parser, Fastify's) read the whole declared body before any route runs,
// so the module never sees an unfinished one: those cases send their bodies whole (what a sender does).
const WHOLE_BODIES = "Nest's JSON parser reads each whole body before the route runs; the module answers 413 from its length";

function start(platform: Platform, setup: AppSetup, wholeBodies: boolean): StartTarget {
  return async (routes) => {
    const running = await startNestApp(
      platform,
      routes.map((route) => TogetherWebhooksModule.forRoot({ webhooks: route.webhooks, path: route.path })),
      setup,
      // With bodyParser: false, the parsed route gets an app-level JSON parser of its own.
      (app) => {
        if (setup.bodyParser === false) for (const route of routes.filter((r) => r.parserFirst)) app.use(route.path, json());
      },
    );
    const target: CaseTarget = httpTarget(running.url, () => running.close());
    if (!wholeBodies) return target;
    return {
      ...target,
      send: (request) => {
        const whole = { ...request };
        delete whole.sendOnly;
        return target.send(whole);
      },
    };
  };
}

const targets: { name: string; platform: Platform; setup: AppSetup; differences: Differences }[] = [
  {
    name: 'NestJS 11, Express platform, rawBody: true',
    platform: 'express',
    setup: { rawBody: true },
    differences: { parserFirst: { parser: "Nest's JSON parser, app-wide, keeping rawBody", answers: 'processed' }, wholeBodies: WHOLE_BODIES },
  },
  {
    name: 'NestJS 11, Express platform, bodyParser: false',
    platform: 'express',
    setup: { bodyParser: false },
    // The message naming the fix is checked in nestjs.test.ts.
    differences: { parserFirst: { parser: 'express.json() in front of the route', answers: 'misconfigured' } },
  },
  {
    name: 'NestJS 11, Fastify platform, rawBody: true',
    platform: 'fastify',
    setup: { rawBody: true },
    differences: { parserFirst: { parser: "Nest's Fastify JSON parser, app-wide, keeping rawBody", answers: 'processed' }, wholeBodies: WHOLE_BODIES },
  },
];

for (const { name, platform, setup, differences } of targets) describeDeliveryCases(name, start(platform, setup, differences.wholeBodies !== undefined), differences);
