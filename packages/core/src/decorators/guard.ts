import { isApoJwtError, type ApoJwtError } from '../errors.js';
import { authorizeNow, type GuardEngine } from '../engine.js';
import { frameworkError } from '../framework-error.js';
import type { AccessClaims } from '../claims.js';
import { defaultApoJwt } from './default-instance.js';
import { accessToken, authorizeBearerHeader, fillAccess, runRefreshCheck, type Check, type CollectedValues } from './checks.js';
import { injectArguments, injectInPlace, type ParamMarks } from './params.js';
import { carryOver } from './carry-over.js';
import { locateRequest } from './locate-request.js';
import { markDecision } from './marks.js';
import { acceptedCredential, authorizeKey } from './credential-check.js';
import type { FoundCredential } from '../api-keys/accept.js';
import { checkFailure, handlerFailure } from '../failure-value.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (this: unknown, ...args: any[]) => any;

/** What one guarded method checks before it runs. */
interface Guarded {
  readonly original: AnyFunction;
  readonly checks: readonly Check[];
  readonly marks: ParamMarks | undefined;
  /** Set by a method decorator's `replacesClass: true`: class-level decorators leave this method alone. */
  readonly replacesClass: boolean;
}

/** One call of a guarded method. */
interface Run {
  readonly self: unknown;
  readonly guarded: Guarded;
  /** The first check's instance owns the request: its template reads and answers it. */
  readonly owner: GuardEngine;
  /** What the method was called with. */
  readonly callArgs: unknown[];
  /** The framework's arguments for the request: `callArgs` themselves, or the request scope's. */
  readonly requestArgs: readonly unknown[];
  /** Found through the request scope: refusals are thrown for the framework, values injected in place. */
  readonly scoped: boolean;
  readonly values: CollectedValues;
  family: string | undefined;
}

/** Functions made by `guard`, so a second decorator adds its check instead of nesting. */
const guardedFunctions = new WeakMap<AnyFunction, Guarded>();

/**
 * Wraps a handler so that every check runs before it. Decorating an already
 * guarded function keeps one wrapper around the original with the union of
 * the checks: every check always runs, whatever the order the decorators were
 * written or applied in (method, class, or both), so no combination can drop
 * one. What other decorators recorded on the method (reflect-metadata,
 * properties, name, length) is carried over to the wrapper.
 */
export function guard<F extends AnyFunction>(method: F, checks: readonly Check[], marks: ParamMarks | undefined, replacesClass = false): F {
  const existing = guardedFunctions.get(method);
  const guarded: Guarded = {
    original: existing?.original ?? method,
    checks: existing ? mergeChecks(existing.checks, checks) : checks,
    marks: existing?.marks ?? marks,
    replacesClass: replacesClass || existing?.replacesClass === true,
  };
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return runGuardedNow(this, guarded, args);
  };
  carryOver(method, wrapped);
  guardedFunctions.set(wrapped, guarded);
  return markDecision(wrapped) as unknown as F;
}

/** True for a function `guard` made. */
export function isGuarded(fn: unknown): boolean {
  return typeof fn === 'function' && guardedFunctions.has(fn as AnyFunction);
}

/** A method that said `replacesClass: true`: the class's decorators do not add to it. */
export function replacesClassRequirement(fn: unknown): boolean {
  return typeof fn === 'function' && guardedFunctions.get(fn as AnyFunction)?.replacesClass === true;
}

function mergeChecks(before: readonly Check[], added: readonly Check[]): readonly Check[] {
  // A refresh token is single use: two @refresh() of one instance consume it once.
  const fresh = added.filter((c) => c.kind !== 'refresh' || !before.some((b) => b.kind === 'refresh' && b.apo === c.apo));
  // Not frozen: the list never leaves this module, and Node 20's optimizing compiler reads a frozen array's elements through an inline cache call.
  return [...before, ...fresh];
}

/**
 * The checks for middleware (Koa awaits its answer, Express 5 looks for a
 * rejection, Fastify's hook ignores it), with the same answer as a guarded
 * method: the body's own return value when every check passed
 * synchronously, a promise otherwise, handed to `whenPending` first when
 * given (one function per request, not a wrapper around this one).
 */
export function guardMiddleware(body: AnyFunction, checks: readonly Check[], whenPending?: (result: Promise<unknown>, args: readonly unknown[]) => unknown): (...args: unknown[]) => unknown {
  const guarded: Guarded = { original: body, checks, marks: undefined, replacesClass: false };
  return function (this: unknown, ...args: unknown[]): unknown {
    const result = runGuardedNow(this, guarded, args);
    return whenPending !== undefined && result instanceof Promise ? whenPending(result, args) : result;
  };
}

/** `done()` to continue, `done(error)` to hand the framework a failure. */
export type HookDone = (error?: unknown) => void;

/** A callback-style hook `(request, reply, done)` whose return value the framework ignores (Fastify's). */
export type CallbackHook = (this: unknown, request: unknown, reply: unknown, done: HookDone) => void;

/**
 * The checks as a callback-style hook, the leanest form of middleware: no
 * closure and no rest array per request.
 *  - passed: `done()` once (inside a refresh family's scope, as a handler);
 *  - refused and answered through the template: `done` is never called, as
 *    a hook that answered must not continue;
 *  - refused for the framework, or any other failure: `done(error)`.
 * Fastify's `done()` does not throw (it answers the handler's own errors);
 * should it throw all the same, `done` has been called and must not be
 * called again: the failure goes to `lateFailure` instead.
 */
export function guardCallbackHook(checks: readonly Check[], lateFailure: (args: readonly unknown[], error: unknown) => void): CallbackHook {
  function continueRequest(request: unknown, reply: unknown, done: HookDone): void {
    try {
      done();
    } catch (error) {
      lateFailure([request, reply], error);
    }
  }
  const guarded: Guarded = { original: continueRequest, checks, marks: undefined, replacesClass: false };
  return function (this: unknown, request: unknown, reply: unknown, done: HookDone): void {
    const result = runGuardedNow(this, guarded, [request, reply, done]);
    if (result instanceof Promise) result.then(undefined, (error: unknown) => done(checkFailure(error)));
  };
}

/**
 * The checks, then the method. When every check passed synchronously (a
 * verified-cache hit with a synchronous store), the method's own return
 * value, as if it were not decorated: a synchronous handler stays
 * synchronous, and no promise is made per request. A check that waits
 * answers with a promise of the method's result; a refusal answered
 * through the template is the exception handler's answer; every failure
 * (a refusal thrown for the framework, a handler's own error) is a
 * rejected promise, never a synchronous throw.
 */
function runGuardedNow(self: unknown, guarded: Guarded, args: unknown[]): unknown {
  let run: Run;
  try {
    const owner = (guarded.checks[0] as Check).apo ?? defaultApoJwt();
    const scope = locateRequest(owner, args, guarded.original);
    const scoped = scope !== undefined;
    run = { self, guarded, owner, callArgs: args, requestArgs: scoped ? scope.args : args, scoped, values: {}, family: undefined };
  } catch (error) {
    return Promise.reject(checkFailure(error));
  }
  let result: unknown;
  try {
    result = runChecks(run, 0);
  } catch (error) {
    return failed(run, error);
  }
  if (!(result instanceof Promise)) return result;
  return run.scoped || run.owner.template?.handlerError === undefined ? result : result.catch((error: unknown) => failed(run, error));
}

/**
 * The one check loop. It runs on every request, so while every answer is
 * synchronous (built-in finders, a verified-cache hit, the memory store or
 * the Redis mirror) no promise is made or awaited; the first check that
 * answers with a promise continues this same loop from the next check once
 * it settles. A refusal stops the loop: the handler never runs.
 */
function runChecks(run: Run, from: number): unknown {
  const checks = run.guarded.checks;
  for (let i = from; i < checks.length; i++) {
    const check = checks[i] as Check;
    const apo = i === 0 ? run.owner : (check.apo ?? defaultApoJwt());
    let pending: void | Promise<void>;
    try {
      pending = runCheck(run, apo, check);
    } catch (error) {
      return refuse(run, apo, error);
    }
    if (pending !== undefined) {
      return pending.then(
        () => runChecks(run, i + 1),
        (error: unknown) => refuse(run, apo, error),
      );
    }
  }
  return proceed(run);
}

/** One check: undefined when it passed synchronously, a promise when it answers later; throws (or rejects) a refusal. */
function runCheck(run: Run, apo: GuardEngine, check: Check): void | Promise<void> {
  if (check.kind === 'refresh') {
    return runRefreshCheck(apo, run.requestArgs, run.values).then((family) => {
      run.family = family;
    });
  }
  if (check.accept !== undefined) return runAcceptingCheck(run, apo, check);
  // Asked once per check: with OpenTelemetry's API installed, each asking reads a global registry.
  const observed = apo.observesDecisions === true;
  const byHeader = authorizeBearerHeader(apo, run.requestArgs, check.requirement, ruleInput(apo, check, run, observed), observed);
  if (byHeader !== undefined) {
    if (byHeader instanceof Promise) return byHeader.then((verified) => fillAccess(run.values, verified));
    fillAccess(run.values, byHeader);
    return;
  }
  const found = accessToken(apo, run.requestArgs);
  if (found instanceof Promise) return found.then((token) => authorize(apo, token, check, run)).then((verified) => fillAccess(run.values, verified));
  const claims = authorizeNow(apo, found, check.requirement, ruleInput(apo, check, run));
  if (claims instanceof Promise) return claims.then((verified) => fillAccess(run.values, verified));
  fillAccess(run.values, claims);
}

/** A route that also accepts API keys (`accept`): the one credential sent, then the token's or the key's authorize. */
function runAcceptingCheck(run: Run, apo: GuardEngine, check: Check): void | Promise<void> {
  const found = acceptedCredential(apo, run.requestArgs, check.accept!);
  const byKind = (credential: FoundCredential) =>
    credential.kind === 'bearer' ? authorize(apo, credential.value, check, run) : authorizeKey(apo, credential.value, check.requirement, ruleInput(apo, check, run));
  const claims = found instanceof Promise ? found.then(byKind) : byKind(found);
  if (claims instanceof Promise) return claims.then((verified) => fillAccess(run.values, verified));
  fillAccess(run.values, claims);
}

/**
 * What a rule is told: the method's arguments and the framework's request
 * (and the route, for a reported decision). Nothing is built for a
 * permission name when no one observes decisions: no object per request.
 */
function ruleInput(apo: GuardEngine, check: Check, run: Run, observed = apo.observesDecisions === true) {
  return observed
    ? { args: run.callArgs, request: run.requestArgs[0], route: run.owner.template?.routeOf?.(run.requestArgs) }
    : check.rule
      ? { args: run.callArgs, request: run.requestArgs[0] }
      : undefined;
}

/** Claims, or a native promise of them (so `instanceof Promise` tells the two apart). */
function authorize(apo: GuardEngine, token: string, check: Check, run: Run): AccessClaims<string, object> | Promise<AccessClaims<string, object>> {
  return authorizeNow(apo, token, check.requirement, ruleInput(apo, check, run));
}

/** A check refused: the instance's exceptionHandler answers, or, in a request scope, the framework gets the error. */
function refuse(run: Run, apo: GuardEngine, error: unknown): unknown {
  if (!isApoJwtError(error)) throw checkFailure(error);
  if (run.scoped) throw frameworkError(error, apo.realm);
  return rejectWith(apo, error, run.requestArgs);
}

/** Every check passed: values go on the request, then the handler runs. */
function proceed(run: Run): unknown {
  const { owner, guarded, values } = run;
  owner.template?.attach(run.requestArgs, values);
  const marks = guarded.marks;
  const callArgs = marks === undefined ? run.callArgs : run.scoped ? injectInPlace(run.callArgs, marks, values) : injectArguments(run.callArgs, marks, values);
  if (run.family === undefined) return guarded.original.apply(run.self, callArgs);
  // `createToken` inside a @refresh() handler continues the consumed token's family.
  return owner.withinRefreshFamily({ fam: run.family }, () => guarded.original.apply(run.self, callArgs));
}

/**
 * An error that is not a refusal (the handler's own, a misconfiguration):
 * called with the framework's arguments, the template hands it to the
 * framework when it can (Express: next(err), which Express 4 would never get
 * from a returned promise); otherwise the returned promise rejects with it.
 */
function failed(run: Run, error: unknown): Promise<unknown> {
  const failure = handlerFailure(error);
  if (!run.scoped && run.owner.template?.handlerError?.(run.requestArgs, failure) === true) return Promise.resolve(undefined);
  return Promise.reject(failure);
}

/** The handler never runs: the instance's exceptionHandler answers, or the error propagates. */
export function rejectWith(apo: GuardEngine, error: ApoJwtError, args: readonly unknown[]): unknown {
  const handler = apo.exceptionHandler;
  if (handler === undefined) throw error;
  return handler.call(apo, error, ...args);
}
