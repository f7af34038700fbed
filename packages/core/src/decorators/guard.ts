import { isApoJwtError, type ApoJwtError } from '../errors.js';
import { defaultApoJwt, type AnyApoJwt } from './default-instance.js';
import { accessToken, fillAccess, runRefreshCheck, type Check, type CollectedValues } from './checks.js';
import { injectArguments, type ParamMarks } from './params.js';

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
 * `apo.consumeRefresh`. Kept to one async frame: it runs on every request.
 */
async function runGuarded(
  self: unknown,
  original: AnyFunction,
  checks: readonly Check[],
  marks: ParamMarks | undefined,
  args: unknown[],
): Promise<unknown> {
  const values: CollectedValues = {};
  let family: string | undefined;
  let owner: AnyApoJwt | undefined;
  for (const check of checks) {
    const apo = check.apo ?? defaultApoJwt();
    owner ??= apo;
    try {
      if (check.kind === 'refresh') {
        family = await runRefreshCheck(apo, args, values);
      } else {
        const found = accessToken(apo, args);
        fillAccess(values, await apo.authorize(found instanceof Promise ? await found : found, check.requirement));
      }
    } catch (error) {
      if (isApoJwtError(error)) return rejectWith(apo, error, args);
      throw error;
    }
  }
  const apo = owner as AnyApoJwt;
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
