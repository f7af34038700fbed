import type { Action } from 'routing-controllers';
import {
  ApoJwtConfigError,
  compileAccept,
  defaultApoJwt,
  frameworkError,
  isApoJwtError,
  runInRequestScope,
  type AcceptOptions,
  type AccessClaims,
  type CredentialKind,
  type Finder,
  type Middleware,
} from '@apojwt/core';
import { requestArgsOf } from './action.js';

/**
 * What the checkers use of an ApoJwt instance, whatever its type parameters:
 * core's own middleware (the decorators' check loop) and `authorize`.
 */
export interface CheckingInstance {
  readonly realm: string | undefined;
  readonly tokenFinder: Finder | undefined;
  authorize(token: string): Promise<AccessClaims<string, object>>;
  tokenRequired(options?: AcceptOptions): Middleware;
  // Roles come from @Authorized(...) at run time: plain strings, checked by core like any requirement.
  permissionRequired(requirement: readonly string[], options?: AcceptOptions): Middleware;
}

export interface AuthorizationCheckerOptions {
  /** The credentials `@Authorized` routes accept: default Bearer tokens only; `['bearer', 'apiKey']` also API keys (the instance's `apiKeys`). */
  accept?: readonly CredentialKind[];
}

/** `apo`, or the instance `createApoJwt` made last, looked up per request (like the standalone decorators). */
function instance(apo: CheckingInstance | undefined): CheckingInstance {
  return apo ?? (defaultApoJwt() as unknown as CheckingInstance);
}

/**
 * routing-controllers' `authorizationChecker` for `@Authorized(...)`: the
 * roles are permission names, all required (`@Authorized()` alone: any valid
 * token). Class and method roles add up, as routing-controllers joins them.
 *
 * The check is core's (the same as `@permissionRequired`), and so are the
 * answers: a missing or invalid token is refused with 401 and a valid token
 * without the permission with 403, thrown with their RFC 6750 challenge for
 * `ApoJwtErrorHandler` / `ApoJwtRequestScope` to send. It never returns
 * false, which routing-controllers would turn into its own error without
 * the challenge. The verified values are attached to the request as by the
 * decorators (Express `req.tokenSubject`, Koa `ctx.state.tokenSubject`).
 */
export function authorizationChecker(apo?: CheckingInstance, options: AuthorizationCheckerOptions = {}): (action: Action, roles: unknown[]) => Promise<boolean> {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('authorizationChecker options must be an object');
  // Checked now, not at the first request.
  compileAccept(options.accept);
  const accept: AcceptOptions | undefined = options.accept === undefined ? undefined : { accept: options.accept };
  // One middleware per roles array: routing-controllers passes the same array for every request of an action.
  const byRoles = new WeakMap<object, { apo: CheckingInstance; check: Middleware }>();
  const checkFor = (engine: CheckingInstance, roles: unknown[]): Middleware => {
    const known = byRoles.get(roles);
    if (known !== undefined && known.apo === engine) return known.check;
    const check = roles.length === 0 ? engine.tokenRequired(accept) : engine.permissionRequired(roles as string[], accept);
    byRoles.set(roles, { apo: engine, check });
    return check;
  };
  return (action, roles) => {
    try {
      const check = checkFor(instance(apo), roles);
      // Called with only a `next`: the guard takes the request from this scope, and throws its refusals.
      return runInRequestScope(requestArgsOf(action), () => check(() => true), 'throw') as Promise<boolean>;
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

export interface CurrentUserCheckerOptions<U> {
  /** Turns the verified claims into the value `@CurrentUser()` injects (a user loaded by `sub`, say). Default: the claims. */
  user?: (claims: AccessClaims<string, object>, action: Action) => U | Promise<U>;
}

/**
 * routing-controllers' `currentUserChecker` for `@CurrentUser()`: the
 * verified claims of the request's access token (or what `options.user`
 * makes of them). No token: undefined, so an optional `@CurrentUser()` works
 * on public routes, and `@CurrentUser({ required: true })` is refused with 401
 * (`ApoJwtErrorHandler` answers routing-controllers' AuthorizationRequiredError
 * as core's ERR_TOKEN_MISSING). A token that is sent but not valid is refused
 * with core's 401, never taken as no user.
 */
export function currentUserChecker<U = AccessClaims<string, object>>(apo?: CheckingInstance, options: CurrentUserCheckerOptions<U> = {}): (action: Action) => Promise<U | undefined> {
  const user = options.user;
  return async (action) => {
    const engine = instance(apo);
    try {
      const finder = engine.tokenFinder;
      if (finder === undefined) throw new ApoJwtConfigError("no tokenFinder: pass a template ('express', 'koa' or an object) to createApoJwt");
      const token: unknown = await finder(...requestArgsOf(action));
      if (typeof token !== 'string' || token.length === 0) return undefined;
      const claims = await engine.authorize(token);
      return user === undefined ? (claims as U) : await user(claims, action);
    } catch (error) {
      throw isApoJwtError(error) ? frameworkError(error, engine.realm) : error;
    }
  };
}
