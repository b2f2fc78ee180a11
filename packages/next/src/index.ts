/**
 * @module @x/together-webhooks-next — Next.js handlers for signed deliveries of Together AI job
 * events (from this project's watcher or the user's own sender: Together sends none): an App
 * Router route handler (nodejs and edge runtimes) and a Pages Router API route.
 */
export { createRouteHandler, type RouteHandler } from './route-handler.js';
export { createApiHandler, type ApiHandler, type ApiRequest } from './api-handler.js';
