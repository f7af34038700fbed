import type { Check } from './checks.js';
import { guardCallbackHook, guardMiddleware, type CallbackHook } from './guard.js';
import { assertRefreshEnabled } from './refresh-enabled.js';
import { markDecision, markPublic } from './marks.js';

/** Express `(req, res, next)`, Koa `(ctx, next)`, or another framework's middleware shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Middleware = (...args: any[]) => any;

/**
 * The decorators' checks as plain middleware, for apps without classes: the
 * same guard, around a body that only calls the framework's `next` (the last
 * argument), and returns what it returns (Koa awaits it).
 */
export function middlewareFor(check: Check): Middleware {
  if (check.kind === 'refresh' && check.apo !== undefined) assertRefreshEnabled(check.apo);
  function apojwtMiddleware(...args: unknown[]): unknown {
    const next = args[args.length - 1];
    return typeof next === 'function' ? next() : undefined;
  }
  // Passed synchronously: `next`'s own answer, and nothing that could reject; a promise: see nextOnRejection.
  const middleware = markDecision(guardMiddleware(apojwtMiddleware, [check], nextOnRejection));
  middlewareChecks.set(middleware, check);
  // The instance's template knows its framework's hook shape (Fastify's preHandler).
  const adapt = check.apo?.template?.middleware;
  return adapt === undefined ? middleware : adapt(middleware);
}

/** Core's own middleware (made by middlewareFor), and the check each runs. */
const middlewareChecks = new WeakMap<Middleware, Check>();

/**
 * The same check as `middleware` (made by core: `apo.permissionRequired(...)`
 * and friends), as a callback-style hook `(request, reply, done)` without
 * core's `(…args, next)` convention in between: what a framework adapter
 * whose hooks take `done` (Fastify's) uses. Undefined for any other
 * function, which the adapter then wraps as middleware. `lateFailure` is told
 * of a failure after `done()` was called (see guardCallbackHook).
 */
export function callbackHookFor(middleware: Middleware, lateFailure: (args: readonly unknown[], error: unknown) => void): CallbackHook | undefined {
  const check = middlewareChecks.get(middleware);
  return check === undefined ? undefined : markDecision(guardCallbackHook([check], lateFailure));
}

/** Middleware for a route that needs no token: it only calls `next`, and tells the coverage check the route is public on purpose. */
export function publicMiddleware(): Middleware {
  return markPublic(function publicRoute(...args: unknown[]): unknown {
    const next = args[args.length - 1];
    return typeof next === 'function' ? next() : undefined;
  });
}

/**
 * Express 4 ignores the promise a middleware returns: a rejection (an
 * ApoJwtConfigError at request time, a throwing custom finder or `issue`
 * callback) would hang the request and end as an unhandled rejection.
 * (req, res, next) middleware hands it to next(err) instead, as Express 5
 * does itself; Koa's (ctx, next) awaits the promise and gets it unchanged.
 */
export function nextOnRejection(result: Promise<unknown>, args: readonly unknown[]): Promise<unknown> {
  const next = args[2];
  return args.length === 3 && typeof next === 'function' ? result.catch((error: unknown) => next(error)) : result;
}
