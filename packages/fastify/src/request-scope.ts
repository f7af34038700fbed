import { requestScopeWanted, runInRequestScope, type RequestScope } from '@apojwt/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod, onRequestHookHandler } from 'fastify';

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
 * How the plugin enters the scope: chosen when it loads, because
 * AsyncLocalStorage turns on Node's promise hooks for the whole process (every
 * promise afterwards costs more) and a hook Fastify runs costs every request
 * its hook runner, so an app with no decorated method pays for neither.
 *  - A decorated method exists (core's `requestScopeWanted`, set when a
 *    decorator guards a method, normally as its module is imported): an
 *    `onRequest` hook on the app, so every later hook and the handler of
 *    every route run inside the scope.
 *  - None yet: each route handler registered after the plugin is wrapped
 *    (`onRoute`) and enters the scope once a decorated method exists, so a
 *    service-layer class defined later still checks the request of the
 *    handler that calls it; until then the handler runs unwrapped in effect.
 */
export function addRequestScope(fastify: FastifyInstance): void {
  if (requestScopeWanted()) {
    fastify.addHook('onRequest', requestScope());
    return;
  }
  fastify.addHook('onRoute', (route) => {
    route.handler = scopedOnceWanted(route.handler);
  });
}

function scopedOnceWanted(handler: RouteHandlerMethod): RouteHandlerMethod {
  return function apojwtRequestScope(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    if (!requestScopeWanted()) return handler.call(this, request, reply);
    return runInRequestScope([request, reply], () => handler.call(this, request, reply), 'answer');
  };
}
