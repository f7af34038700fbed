import { ApoJwtConfigError } from './errors.js';

/**
 * What a failed check hands the framework. A check fails with an
 * ApoJwtError (a refusal) or, from a custom finder, store, rule or callback,
 * with whatever that code threw. A value that is not an Error is not safe to
 * hand on: Express's `next()` reads a falsy one as "continue" (the guarded
 * handler would run) and `'route'` or `'router'` as "skip to the next
 * route", and Koa answers nothing at all for a null rejection. Such a value
 * becomes an ApoJwtConfigError (a server fault), the value kept as its
 * `cause` and never put in the message, where a credential could end up.
 */
export function checkFailure(value: unknown): Error {
  if (value instanceof Error) return value;
  return new ApoJwtConfigError('an apojwt check failed with a value that is not an Error (thrown by a custom finder, store, rule or callback)', { cause: value });
}

/**
 * The failure of the app's own code (a guarded handler; a login's user
 * lookup or `issue`), handed on as it is (an app's own non-Error value, such
 * as an object with a status, keeps its meaning), unless it is falsy: no
 * framework reads that as a failure.
 */
export function handlerFailure(value: unknown, what = 'the guarded handler'): unknown {
  return value ? value : new Error(`${what} failed with a falsy value`, { cause: value });
}
