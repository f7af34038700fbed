import type { RequestHandler } from 'express';
import { runInRequestScope, type RequestScope } from '@apojwt/core';

/**
 * Enters the request scope for each request, so a decorated method that is
 * not called with `(req, res, next)` (a service-layer class, a controller
 * framework's parameter injection) checks this request. Mount it after body
 * parsers: some of them resume the request in callbacks that run outside it.
 */
export function requestScope(options: { refusals?: RequestScope['refusals'] } = {}): RequestHandler {
  const refusals = options.refusals ?? 'answer';
  return (req, res, next) => runInRequestScope([req, res], next, refusals);
}
