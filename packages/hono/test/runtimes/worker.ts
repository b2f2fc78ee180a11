/** @module worker — the table's Hono app as a Worker module, as `export default app` is deployed. */
import { app } from './app.js';

export default app;
