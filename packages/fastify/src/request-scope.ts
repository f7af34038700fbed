import { runInRequestScope, type RequestScope } from '@apojwt/core';
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
