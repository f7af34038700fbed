import { ApoJwtConfigError, callbackHookFor, carryDecision, checkFailure, type AcceptOptions, type ApoJwt, type Middleware, type PermissionRequirement, type Rule } from '@apojwt/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** A callback-style Fastify hook: use it as `preHandler` (or `onRequest`, `preValidation`). */
export type ApoPreHandler = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/**
 * Turns one of core's middleware (`apo.permissionRequired(...)`,
 * `apo.tokenRequired()`, `apo.refresh()`) into a Fastify hook.
 *
 * Core's middleware both calls the last argument as `next` and returns a
 * promise; Fastify's hook runner treats each of the two as "done", so given
 * directly as a preHandler the rest of the route would run twice. Here the
 * promise is kept from Fastify: the hook is callback-style only. Core's own
 * middleware becomes core's callback hook of the same check (`callbackHookFor`);
 * any other middleware is wrapped, with the same answers:
 *  - passed: `done()` is called once, inside the check's scope (so a
 *    `@refresh`-style `createToken` in the handler continues the family);
 *  - refused with `errors: 'respond'`: the reply was sent and `done` is never
 *    called, as Fastify requires of a hook that answered;
 *  - refused with `errors: 'throw'`, or any unexpected failure: `done(error)`,
 *    and the app's error handler answers.
 */
export function toPreHandler(middleware: Middleware): ApoPreHandler {
  if (typeof middleware !== 'function') throw new ApoJwtConfigError('toPreHandler needs a middleware function, e.g. apo.permissionRequired(...)');
  // Middleware of a Fastify-template instance already is a hook (the template adapts it).
  if (preHandlers.has(middleware)) return middleware as ApoPreHandler;
  // Core's own middleware: its checks as a hook, without a `next` made per request.
  const own = callbackHookFor(middleware, reportLateFailure) as ApoPreHandler | undefined;
  if (own !== undefined) {
    preHandlers.add(own);
    return own;
  }
  const hook = carryDecision(middleware, function apojwtPreHandler(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    let settled = false;
    // Core calls next() with no argument when every check passed, next(error) when something failed.
    function next(...failure: unknown[]): void {
      if (settled) {
        if (failure.length > 0) request.log.error({ err: failure[0] }, 'apojwt: failure after the hook had finished');
        return;
      }
      settled = true;
      if (failure.length === 0) return done();
      // A falsy rejection must not read as "passed": core's rule for any value that is not an Error.
      done(checkFailure(failure[0]));
    }
    try {
      void middleware(request, reply, next);
    } catch (error) {
      next(error);
    }
  });
  preHandlers.add(hook);
  return hook;
}

function reportLateFailure(args: readonly unknown[], error: unknown): void {
  (args[0] as FastifyRequest).log.error({ err: error }, 'apojwt: failure after the hook had finished');
}

/** Hooks made by toPreHandler. */
const preHandlers = new WeakSet<Middleware>();

/** The preHandler hooks of one instance, typed by its permission names. */
export interface FastifyGuard<P extends string> {
  /** A valid access token (401 otherwise); `{ accept: ['bearer', 'apiKey'] }` also takes an API key. */
  tokenRequired(options?: AcceptOptions): ApoPreHandler;
  /** A valid access token (401) holding the permission(s), or satisfying the rule (403); `{ accept }` as for tokenRequired. */
  permissionRequired(requirement: PermissionRequirement<NoInfer<P>> | Rule, options?: AcceptOptions): ApoPreHandler;
  /** A valid, unused refresh token (consumed); `createToken` in the handler continues its family. */
  refresh(): ApoPreHandler;
  /** The route needs no token: a hook that only continues, which the coverage check (`routeRecorder`) sees as public. */
  publicRoute(): ApoPreHandler;
}

/**
 * `fastifyGuard(apo).permissionRequired('orders:read')`: the decorators'
 * checks as Fastify hooks, for routes without classes. The plugin offers the
 * same as `fastify.apojwt`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fastifyGuard<P extends string>(apo: ApoJwt<P, any, any, boolean>): FastifyGuard<P> {
  if (apo === null || typeof apo !== 'object' || typeof apo.permissionRequired !== 'function') {
    throw new ApoJwtConfigError('fastifyGuard needs an ApoJwt instance');
  }
  return Object.freeze({
    tokenRequired: (options?: AcceptOptions) => toPreHandler(apo.tokenRequired(options)),
    permissionRequired: (requirement: PermissionRequirement<NoInfer<P>> | Rule, options?: AcceptOptions) => toPreHandler(apo.permissionRequired(requirement, options)),
    refresh: () => toPreHandler(apo.refresh()),
    publicRoute: () => toPreHandler(apo.publicRoute()),
  });
}
