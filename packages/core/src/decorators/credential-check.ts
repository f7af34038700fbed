import { ApoJwtConfigError } from '../errors.js';
import { authorizeApiKeyEagerly, type GuardEngine } from '../engine.js';
import { selectCredential, type AcceptedCredentials, type FoundCredential } from '../api-keys/accept.js';
import type { ApiKeyClaims } from '../api-keys/api-key-claims.js';
import type { CompiledRequirement } from '../permissions.js';
import type { PolicyInput, Rule } from '../policy.js';
import { findToken } from './checks.js';

/**
 * The credential of a request to a route that accepts API keys (a check
 * with `accept`): the Bearer token when the route takes one, the key from
 * the instance's key header or scheme, exactly one of the two. Routes
 * without `accept` never come here.
 */
export function acceptedCredential(apo: GuardEngine, args: readonly unknown[], accept: AcceptedCredentials): FoundCredential | Promise<FoundCredential> {
  const keys = apo.apiKeys;
  if (keys === undefined) throw new ApoJwtConfigError('this route accepts API keys but the instance has none: pass the apiKeys option to createApoJwt');
  const headersOf = apo.template?.requestHeaders;
  if (headersOf === undefined) throw new ApoJwtConfigError('this route accepts API keys but the template cannot read request headers (its requestHeaders slot)');
  const apiKey = accept.apiKey ? keys.find(headersOf(args)) : undefined;
  if (!accept.bearer) return selectCredential(accept, undefined, apiKey, keys.challengeScheme);
  const bearer = findToken(apo.tokenFinder, 'tokenFinder', args);
  return bearer instanceof Promise ? bearer.then((token) => selectCredential(accept, token, apiKey, keys.challengeScheme)) : selectCredential(accept, bearer, apiKey, keys.challengeScheme);
}

/** The key's claims (synchronous on a cache hit), through the instance's API-key authorize. */
export function authorizeKey(apo: GuardEngine, key: string, requirement: CompiledRequirement | Rule | undefined, input: PolicyInput | undefined): ApiKeyClaims | Promise<ApiKeyClaims> {
  const eager = apo[authorizeApiKeyEagerly];
  if (typeof eager === 'function') return eager.call(apo, key, requirement, input);
  if (typeof apo.authorizeApiKey !== 'function') throw new ApoJwtConfigError('this route accepts API keys but the instance cannot verify them');
  return apo.authorizeApiKey(key, requirement, input);
}
