import { requestScopeWanted, runInRequestScope, type RequestScope } from '@apojwt/core';
import type { onRequestHookHandler } from 'fastify';

/**
 * An `onRequest` hook that enters the request scope for the rest of the
 * request, so a decorated method that is not called with `(request, reply)`
 * (a service-layer class) checks this request. `apojwtPlugin` adds it to the
 * app itself; add it yourself when you do not register the plugin.
 */
export function requestScope(options: { refusals?: RequestScope['refusals'] } = {}): onRequestHookHandler {
  const refusals = options.refusals ?? 'answer';
  // done() runs every later hook and the handler: inside the scope.
  return (request, reply, done) => runInRequestScope([request, reply], done, refusals);
}

/**
 * The plugin's hook: the same scope, entered only once a decorated method
 * exists in the process (core's `requestScopeWanted`), the only code that
 * reads it. Entering AsyncLocalStorage turns on Node's promise hooks for the
 * whole process, and every promise afterwards costs more: on a Fastify
 * request, a measurable share.
 */
export function requestScopeWhenWanted(): onRequestHookHandler {
  return (request, reply, done) => (requestScopeWanted() ? runInRequestScope([request, reply], done, 'answer') : done());
}
