import type { Action } from 'routing-controllers';
import {
  ApoJwtConfigError,
  checkFailure,
  compileAccept,
  defaultApoJwt,
  frameworkError,
  isApoJwtError,
  runInRequestScope,
  acceptedCredential,
  type AcceptOptions,
  type AcceptedCredentials,
  type AccessClaims,
  type AnyApoJwt,
  type ApiKeyClaims,
  type CredentialKind,
  type Finder,
  type FoundCredential,
  type GuardEngine,
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
  /** For `currentUserChecker`'s `accept`: verifies an API key (the instance's `apiKeys`; core finds the key). */
  authorizeApiKey?(key: string): Promise<ApiKeyClaims>;
  authorize(token: string): Promise<AccessClaims<string, object>>;
  tokenRequired(options?: AcceptOptions): Middleware;
  // Roles come from @Authorized(...) at run time: plain strings, checked by core like any requirement.
  // Typed through AnyApoJwt: an instance whose Register declares its names takes only those, so a
  // `readonly string[]` parameter here would refuse every typed instance.
  permissionRequired: AnyApoJwt['permissionRequired'];
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

export interface CurrentUserCheckerOptions<U, C = AccessClaims<string, object>> {
  /** Turns the verified claims into the value `@CurrentUser()` injects (a user loaded by `sub`, say). Default: the claims. */
  user?: (claims: C, action: Action) => U | Promise<U>;
  /**
   * The credentials that make a current user: default Bearer tokens only;
   * `['bearer', 'apiKey']` also API keys (the instance's `apiKeys`), whose
   * claims (`kind: 'apiKey'`, `sub`, `perms`, `keyId`) are then injected or
   * handed to `user`. The same list as `authorizationChecker`'s `accept`.
   */
  accept?: readonly CredentialKind[];
}

/** A current user from a token or an API key: the claims of either. */
export type CurrentUserClaims = AccessClaims<string, object> | ApiKeyClaims;

/**
 * routing-controllers' `currentUserChecker` for `@CurrentUser()`: the
 * verified claims of the request's access token (or what `options.user`
 * makes of them). No token: undefined, so an optional `@CurrentUser()` works
 * on public routes, and `@CurrentUser({ required: true })` is refused with 401
 * (`ApoJwtErrorHandler` answers routing-controllers' AuthorizationRequiredError
 * as core's ERR_TOKEN_MISSING). A token that is sent but not valid is refused
 * with core's 401, never taken as no user. With `accept: ['bearer', 'apiKey']`
 * an API key makes a user too (its claims); a token and a key at once are 400.
 */
export function currentUserChecker<U = AccessClaims<string, object>>(
  apo?: CheckingInstance,
  options?: CurrentUserCheckerOptions<U> & { accept?: undefined },
): (action: Action) => Promise<U | undefined>;
export function currentUserChecker<U = CurrentUserClaims>(
  apo: CheckingInstance | undefined,
  options: CurrentUserCheckerOptions<U, CurrentUserClaims> & { accept: readonly CredentialKind[] },
): (action: Action) => Promise<U | undefined>;
export function currentUserChecker<U>(apo?: CheckingInstance, options: CurrentUserCheckerOptions<U, never> = {}): (action: Action) => Promise<U | undefined> {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('currentUserChecker options must be an object');
  // Typed by the overload the call matched: claims of a token, or of a token or a key with `accept`.
  const user = options.user as ((claims: CurrentUserClaims, action: Action) => U | Promise<U>) | undefined;
  // Checked now, not at the first request; undefined unless keys are accepted.
  const accept = compileAccept(options.accept);
  return async (action) => {
    const engine = instance(apo);
    let claims: CurrentUserClaims | undefined;
    try {
      claims = await currentClaims(engine, requestArgsOf(action), accept);
    } catch (error) {
      // The check's own failures are made safe to hand on.
      throw isApoJwtError(error) ? frameworkError(error, engine.realm) : checkFailure(error);
    }
    if (claims === undefined) return undefined;
    if (user === undefined) return claims as U;
    try {
      return await user(claims, action);
    } catch (error) {
      // What the app's `user` throws keeps its meaning; a refusal gets the fields routing-controllers reads.
      throw isApoJwtError(error) ? frameworkError(error, engine.realm) : error;
    }
  };
}

/** The verified claims of the request's credential, undefined when it sent none. */
async function currentClaims(engine: CheckingInstance, args: readonly unknown[], accept: AcceptedCredentials | undefined): Promise<CurrentUserClaims | undefined> {
  if (accept === undefined) {
    const token = await bearerOf(engine, args);
    return token === undefined ? undefined : engine.authorize(token);
  }
  let found: FoundCredential;
  try {
    // Core's choice of credential, as on the decorators' routes: one of the accepted ones, never two.
    found = await acceptedCredential(engine as unknown as GuardEngine, args, accept);
  } catch (error) {
    // Nothing sent is no user here, not a refusal: `@CurrentUser({ required: true })` refuses it.
    if (isApoJwtError(error) && error.code === 'ERR_TOKEN_MISSING') return undefined;
    throw error;
  }
  if (found.kind === 'bearer') return engine.authorize(found.value);
  if (typeof engine.authorizeApiKey !== 'function') throw new ApoJwtConfigError('currentUserChecker accepts API keys but the instance cannot verify them');
  return engine.authorizeApiKey(found.value);
}

async function bearerOf(engine: CheckingInstance, args: readonly unknown[]): Promise<string | undefined> {
  const finder = engine.tokenFinder;
  if (finder === undefined) throw new ApoJwtConfigError("no tokenFinder: pass a template ('express', 'koa' or an object) to createApoJwt");
  const token: unknown = await finder(...args);
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}
