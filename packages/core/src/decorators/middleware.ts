import type { Check } from './checks.js';
import { guard } from './guard.js';

/** Express `(req, res, next)`, Koa `(ctx, next)`, or another framework's middleware shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Middleware = (...args: any[]) => any;

/**
 * The decorators' checks as plain middleware, for apps without classes: the
 * same guard, around a body that only calls the framework's `next` (the last
 * argument), and returns what it returns (Koa awaits it).
 */
export function middlewareFor(check: Check): Middleware {
  function proceed(...args: unknown[]): unknown {
    const next = args[args.length - 1];
    return typeof next === 'function' ? next() : undefined;
  }
  return guard(proceed, [check], undefined);
}
