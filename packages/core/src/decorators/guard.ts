import { isApoJwtError, type ApoJwtError } from '../errors.js';
import { defaultApoJwt, type AnyApoJwt } from './default-instance.js';
import { accessToken, fillAccess, runRefreshCheck, type Check, type CollectedValues } from './checks.js';
import { injectArguments, type ParamMarks } from './params.js';
import { authorizeEagerly } from '../engine.js';
import type { AccessClaims } from '../claims.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (this: unknown, ...args: any[]) => any;

interface Guarded {
  readonly original: AnyFunction;
  readonly checks: readonly Check[];
  readonly marks: ParamMarks | undefined;
}

/** Functions made by `guard`, so a second decorator adds its check instead of nesting. */
const guardedFunctions = new WeakMap<AnyFunction, Guarded>();

/**
 * Wraps a handler so that every check runs before it. Decorating an already
 * guarded function keeps one wrapper around the original with the union of
 * the checks: every check always runs, whatever the order the decorators were
 * written or applied in (method, class, or both), so no combination can drop
 * one; and injected arguments are computed once, from the framework's own.
 */
export function guard<F extends AnyFunction>(method: F, checks: readonly Check[], marks: ParamMarks | undefined): F {
  const existing = guardedFunctions.get(method);
  const original = existing?.original ?? method;
  const all = existing ? mergeChecks(existing.checks, checks) : checks;
  const paramMarks = existing?.marks ?? marks;
  const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    return runGuarded(this, original, all, paramMarks, args);
  };
  Object.defineProperty(wrapped, 'name', { value: original.name, configurable: true });
  guardedFunctions.set(wrapped, { original, checks: all, marks: paramMarks });
  return wrapped as unknown as F;
}

function mergeChecks(before: readonly Check[], added: readonly Check[]): readonly Check[] {
  // A refresh token is single use: two @refresh() of one instance consume it once.
  const fresh = added.filter((c) => c.kind !== 'refresh' || !before.some((b) => b.kind === 'refresh' && b.apo === c.apo));
  return Object.freeze([...before, ...fresh]);
}

/**
 * Runs every check, in order; the first failure answers through the
 * instance's exceptionHandler and the method does not run. Each decision is
 * the instance's: `apo.authorize` (token and permissions) and
 * `apo.consumeRefresh`. It runs on every request, so while every answer is
 * synchronous (built-in finders, a verified-cache hit, the memory store or
 * the Redis mirror) no promise is awaited; the first asynchronous answer
 * hands the rest over to `continueChecks`. Either way the result is a promise.
 */
function runGuarded(self: unknown, original: AnyFunction, checks: readonly Check[], marks: ParamMarks | undefined, args: unknown[]): Promise<unknown> {
  try {
    // The first check's instance owns the request: its template attaches the values.
    const owner = (checks[0] as Check).apo ?? defaultApoJwt();
    const values: CollectedValues = {};
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i] as Check;
      if (check.kind === 'refresh') return continueChecks(self, original, owner, checks, marks, args, values, i, undefined);
      const apo = i === 0 ? owner : check.apo ?? defaultApoJwt();
      let claims: AccessClaims | Promise<AccessClaims>;
      try {
        const found = accessToken(apo, args);
        claims = found instanceof Promise ? found.then((token) => authorize(apo, token, check)) : authorize(apo, found, check);
      } catch (error) {
        if (isApoJwtError(error)) return Promise.resolve(rejectWith(apo, error, args));
        throw error;
      }
      if (claims instanceof Promise) return continueChecks(self, original, owner, checks, marks, args, values, i, claims);
      fillAccess(values, claims);
    }
    return Promise.resolve(proceed(self, original, owner, marks, args, values, undefined));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** From check `from` on, awaiting: `pending` is that check's claims when it was already started. */
async function continueChecks(
  self: unknown,
  original: AnyFunction,
  owner: AnyApoJwt,
  checks: readonly Check[],
  marks: ParamMarks | undefined,
  args: unknown[],
  values: CollectedValues,
  from: number,
  pending: Promise<AccessClaims> | undefined,
): Promise<unknown> {
  let family: string | undefined;
  for (let i = from; i < checks.length; i++) {
    const check = checks[i] as Check;
    const apo = i === 0 ? owner : check.apo ?? defaultApoJwt();
    try {
      if (check.kind === 'refresh') {
        family = await runRefreshCheck(apo, args, values);
      } else if (i === from && pending !== undefined) {
        fillAccess(values, await pending);
      } else {
        const found = accessToken(apo, args);
        fillAccess(values, await authorize(apo, found instanceof Promise ? await found : found, check));
      }
    } catch (error) {
      if (isApoJwtError(error)) return rejectWith(apo, error, args);
      throw error;
    }
  }
  return proceed(self, original, owner, marks, args, values, family);
}

/** Claims, or a native promise of them (so `instanceof Promise` tells the two apart). */
function authorize(apo: AnyApoJwt, token: string, check: Check): AccessClaims | Promise<AccessClaims> {
  // Absent on an object that only looks like an ApoJwt (or one from another copy of core).
  if (typeof apo[authorizeEagerly] !== 'function') return Promise.resolve(apo.authorize(token, check.requirement));
  return apo[authorizeEagerly](token, check.requirement);
}

/** Every check passed: values go on the request, then the handler runs. */
function proceed(
  self: unknown,
  original: AnyFunction,
  apo: AnyApoJwt,
  marks: ParamMarks | undefined,
  args: unknown[],
  values: CollectedValues,
  family: string | undefined,
): unknown {
  apo.template?.attach(args, values);
  const callArgs = marks === undefined ? args : injectArguments(args, marks, values);
  if (family === undefined) return original.apply(self, callArgs);
  // `createToken` inside a @refresh() handler continues the consumed token's family.
  return apo.withinRefreshFamily({ fam: family }, () => original.apply(self, callArgs));
}

/** The handler never runs: the instance's exceptionHandler answers, or the error propagates. */
export function rejectWith(apo: AnyApoJwt, error: ApoJwtError, args: unknown[]): unknown {
  const handler = apo.exceptionHandler;
  if (handler === undefined) throw error;
  return handler.call(apo, error, ...args);
}
