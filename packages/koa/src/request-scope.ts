import type { Middleware } from 'koa';
import { runInRequestScope, type RequestScope } from '@apojwt/core';

/**
 * Enters the request scope for each request, so a decorated method that is
 * not called with `(ctx, next)` (a service-layer class, a controller
 * framework's parameter injection) checks this request.
 */
export function requestScope(options: { refusals?: RequestScope['refusals'] } = {}): Middleware {
  const refusals = options.refusals ?? 'answer';
  return (ctx, next) => runInRequestScope([ctx], next, refusals);
}
