import { ApoJwtConfigError, ApoJwtError } from '../errors.js';
import type { CompiledRequirement } from '../permissions.js';
import type { Finder, InjectedValues } from '../template.js';
import type { AnyApoJwt } from './default-instance.js';

/**
 * What one decorator asks for. A decorator only records a check; the checks
 * below run it. `apo` is undefined for standalone decorators: the default
 * instance is used, resolved per request.
 */
export interface Check {
  readonly kind: 'token' | 'permission' | 'refresh';
  readonly requirement: CompiledRequirement | undefined;
  readonly apo: AnyApoJwt | undefined;
}

/** Mutable while checks run; handed to `template.attach` and to parameter injection. */
export type CollectedValues = { -readonly [K in keyof InjectedValues]: InjectedValues[K] } & { refreshFamily?: string };

/**
 * Runs one check against the request arguments. Throws an `ApoJwtError`
 * (no token, invalid token, missing permission, ...) or fills `values`.
 * Every decision is made by the instance: `authorize` and `consumeRefresh`.
 */
export async function runCheck(check: Check, apo: AnyApoJwt, args: readonly unknown[], values: CollectedValues): Promise<void> {
  if (check.kind === 'refresh') {
    const token = await findToken(apo.refreshFinder, 'refreshFinder', args);
    if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token was sent');
    const claims = await apo.consumeRefresh(token);
    values.refreshData = claims.data;
    values.refreshClaims = claims;
    values.refreshFamily = claims.fam;
    return;
  }
  const found = findToken(apo.tokenFinder, 'tokenFinder', args);
  const token = found instanceof Promise ? await found : found;
  if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no access token was sent');
  const claims = await apo.authorize(token, check.requirement);
  values.tokenData = claims.data;
  values.tokenSubject = claims.sub;
  values.tokenPermissions = claims.perms;
  values.tokenClaims = claims;
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
