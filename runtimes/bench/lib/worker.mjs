/**
 * @module worker — the workerd benchmark worker. workerd freezes the clock while code runs (a
 * Spectre mitigation), so the loop runs here and the time is taken outside: GET /run?case=&n=
 * runs one case n times and answers when done. The cases are subtle-cases.mjs's.
 */
import { prepareSubtleCases, runCase } from './subtle-cases.mjs';

let setup;

export default {
  async fetch(request) {
    setup ??= await prepareSubtleCases();
    const url = new URL(request.url);
    const fn = setup.cases[url.searchParams.get('case') ?? ''];
    const n = Number(url.searchParams.get('n') ?? '0');
    if (url.pathname !== '/run' || (n > 0 && !fn)) return new Response('unknown case', { status: 404 });
    await runCase(fn, n);
    return Response.json({ n, cryptoBackend: setup.cryptoBackend });
  },
};
