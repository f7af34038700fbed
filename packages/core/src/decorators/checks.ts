import { ApoJwtConfigError, ApoJwtError, accessTokenMissing } from '../errors.js';
import type { CompiledRequirement } from '../permissions.js';
import { isRule, type PolicyInput, type Rule } from '../policy.js';
import type { AccessClaims } from '../claims.js';
import { authorizationHeader } from '../http/credentials.js';
import type { Finder, InjectedValues } from '../template.js';
import { authorizeHeaderNow, type GuardEngine } from '../engine.js';
import { assertRefreshEnabled } from './refresh-enabled.js';
import type { AcceptedCredentials } from '../api-keys/accept.js';

/**
 * What one decorator asks for. A decorator only records a check; the checks
 * below run it. `apo` is undefined for standalone decorators: the default
 * instance is used, resolved per request.
 */
export interface Check {
  readonly kind: 'token' | 'permission' | 'refresh';
  /** A compiled permission requirement, or a rule (definePolicy, allOf, anyOf, not). */
  readonly requirement: CompiledRequirement | Rule | undefined;
  readonly apo: GuardEngine | undefined;
  /** The credentials the route accepts beside Bearer tokens (`accept`); undefined: Bearer tokens only, the default. */
  readonly accept?: AcceptedCredentials | undefined;
  /**
   * True when `requirement` is a rule, which is told the call's arguments
   * and request. Decided once, when the check is made (`makeCheck`), rather
   * than by two type tests on every request.
   */
  readonly rule: boolean;
}

/** A check, with what it is decided once. */
export function makeCheck(kind: Check['kind'], requirement: CompiledRequirement | Rule | undefined, apo: GuardEngine | undefined, accept?: AcceptedCredentials): Check {
  return { kind, requirement, apo, accept, rule: requirement !== undefined && isRule(requirement) };
}

/** Mutable while checks run; handed to `template.attach` and to parameter injection. */
export type CollectedValues = { -readonly [K in keyof InjectedValues]: InjectedValues[K] };

/**
 * The access token of a request (sync for the built-in finders), or
 * ERR_TOKEN_MISSING. Validity and permissions are decided by `apo.authorize`.
 */
export function accessToken(apo: GuardEngine, args: readonly unknown[]): string | Promise<string> {
  const found = findToken(apo.tokenFinder, 'tokenFinder', args);
  return found instanceof Promise ? found.then(requireToken) : requireToken(found);
}

/**
 * The claims of a request whose token is its Authorization header's Bearer
 * token alone (`bearerHeaders`): the header is read here, once (two are
 * ERR_REQUEST_MALFORMED), and handed to the instance as sent, so a header
 * seen before with a cached token is not parsed again. Undefined when the
 * instance does not read its token that way: the caller uses `accessToken`.
 * `observed` is the caller's reading of `observesDecisions` for this check.
 */
export function authorizeBearerHeader(
  apo: GuardEngine,
  args: readonly unknown[],
  requirement: CompiledRequirement | Rule | undefined,
  input: PolicyInput | undefined,
  observed: boolean,
): AccessClaims<string, object> | Promise<AccessClaims<string, object>> | undefined {
  const headersOf = apo.bearerHeaders;
  if (headersOf === undefined) return undefined;
  const header = authorizationHeader(headersOf(args[0]));
  if (header === undefined) throw accessTokenMissing();
  return authorizeHeaderNow(apo, header, requirement, input, observed);
}

function requireToken(token: string | undefined): string {
  if (token === undefined) throw accessTokenMissing();
  return token;
}

export function fillAccess(values: CollectedValues, claims: { data: unknown; sub: string; perms: readonly string[] }): void {
  values.tokenData = claims.data;
  values.tokenSubject = claims.sub;
  values.tokenPermissions = claims.perms;
  values.tokenClaims = claims;
}

/** Consumes the request's refresh token (`apo.consumeRefresh`: single use); returns its family. */
export async function runRefreshCheck(apo: GuardEngine, args: readonly unknown[], values: CollectedValues): Promise<string> {
  // Standalone decorators meet their instance only now: the same clear message as at set-up.
  assertRefreshEnabled(apo);
  const token = await findToken(apo.refreshFinder, 'refreshFinder', args);
  if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token was sent');
  const claims = await apo.consumeRefresh(token);
  values.refreshData = claims.data;
  values.refreshClaims = claims;
  return claims.fam;
}

export function findToken(finder: Finder | undefined, slot: string, args: readonly unknown[]): string | undefined | Promise<string | undefined> {
  if (finder === undefined) {
    throw new ApoJwtConfigError(`no ${slot}: pass a template ('express', 'koa' or an object) or ${slot} to createApoJwt`);
  }
  const found = finder(...args);
  // Built-in finders are synchronous: no extra promise on every request for them.
  return found instanceof Promise ? found.then((value) => credential(value, slot)) : credential(found, slot);
}

function credential(found: unknown, slot: string): string | undefined {
  // An empty credential is no credential; anything else must be a string.
  if (found === undefined || found === null || found === '') return undefined;
  if (typeof found !== 'string') throw new ApoJwtConfigError(`${slot} must return a string or undefined`);
  return found;
}
