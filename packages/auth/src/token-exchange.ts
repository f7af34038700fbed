import { ApoJwtConfigError, ApoJwtError, MAX_ACTOR_DEPTH, actorChain, holdsPermission, isApoJwtError, type AccessClaims, type AnyApoJwt, type AuthResponse } from '@apojwt/core';
import type { ServiceClient } from './service-clients.js';
import { tokenAnswer, type GrantHandler } from './token-answer.js';
import { invalid, required } from './token-request.js';

/** RFC 8693 §2.1 and §3. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE_URI = 'urn:ietf:params:oauth:token-type:access_token';
/** Default lifetime of an exchanged token, seconds. */
export const DEFAULT_EXCHANGE_SECONDS = 300;

export interface TokenExchangeOptions {
  /** Seconds an exchanged token lives at most (never past the subject token's `exp`, never past `apo.expPeriod`); default 300. */
  expPeriod?: number;
  /** The instance that verifies subject tokens; default the endpoint's own. It must accept the audiences of the tokens services present (theirs). */
  subjectVerifier?: AnyApoJwt;
}

/**
 * Token exchange on behalf of a user (RFC 8693): a service holding a user's
 * access token (`subject_token`) asks for a token for one downstream
 * `audience`. The new token keeps the user as `sub`, names the calling
 * client in `act` (nested over the subject token's own `act`: a chain,
 * §4.1), is bound to that audience only, lives shorter, and holds at most
 * the permissions both the user holds and the client may delegate (or the
 * requested `scope`, when every one of them is in both). Asking for more is
 * ERR_SCOPE_INVALID; an audience the client may not reach, ERR_TARGET_INVALID;
 * a subject token that does not verify, ERR_TOKEN_REQUEST_INVALID (§2.2.2).
 */
export function tokenExchangeGrant(apo: AnyApoJwt, options: TokenExchangeOptions = {}): GrantHandler {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('token exchange options must be an object');
  const lifetime = options.expPeriod ?? DEFAULT_EXCHANGE_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > apo.expPeriod)
    throw new ApoJwtConfigError(`exchange expPeriod must be a whole number of seconds from 1 to the instance's expPeriod (${apo.expPeriod})`);
  const verifier = options.subjectVerifier ?? apo;
  const admin = apo.adminPermission;

  return async function exchange(client: ServiceClient, params: ReadonlyMap<string, string>): Promise<AuthResponse> {
    const subjectToken = required(params, 'subject_token');
    if (required(params, 'subject_token_type') !== ACCESS_TOKEN_TYPE_URI) throw invalid('subject_token_type must be urn:ietf:params:oauth:token-type:access_token');
    const requestedType = params.get('requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE_URI) throw invalid('requested_token_type must be urn:ietf:params:oauth:token-type:access_token');
    if (params.has('actor_token') || params.has('resource')) throw invalid('actor_token and resource are not taken here: the actor is the authenticated client, the target its audience');
    const audience = required(params, 'audience');
    if (!(client.audiences ?? []).includes(audience)) throw new ApoJwtError('ERR_TARGET_INVALID', 'the client may not ask tokens for this audience');

    const subject = await verifySubject(verifier, subjectToken);
    if (actorChain(subject.act).length >= MAX_ACTOR_DEPTH) throw invalid('the subject token has the longest actor chain allowed');
    const permissions = delegatedPermissions(params.get('scope'), subject.perms, client.delegate ?? [], admin);
    const now = apo.nowSeconds();
    const expiresIn = Math.min(lifetime, subject.exp - now);
    if (expiresIn < 1) throw invalid('the subject token expires now');
    const act = subject.act === undefined ? { sub: client.id } : { sub: client.id, act: subject.act };
    const token = apo.createAccessToken({ sub: subject.sub, permissions, data: subject.data }, { audience: [audience], expPeriod: expiresIn, act });
    return tokenAnswer(token, expiresIn, permissions, { issued_token_type: ACCESS_TOKEN_TYPE_URI });
  };
}

async function verifySubject(verifier: AnyApoJwt, token: string): Promise<AccessClaims<string, object>> {
  try {
    return (await verifier.verify(token)) as AccessClaims<string, object>;
  } catch (error) {
    // A store that cannot answer stays a 503; any verdict on the token is the request's fault (§2.2.2).
    if (isApoJwtError(error) && error.status === 401) throw new ApoJwtError('ERR_TOKEN_REQUEST_INVALID', 'the subject token is not valid', {}, { cause: error });
    throw error;
  }
}

/**
 * The permissions of an exchanged token: each requested one held by the user
 * and delegable by the client; none requested, every name that one side
 * grants and the other covers (so `orders:*` held and `orders:read`
 * delegable give `orders:read`). Empty is refused: a token that can do
 * nothing is a mistake in the registry or the request.
 */
export function delegatedPermissions(scope: string | undefined, held: readonly string[], delegable: readonly string[], admin: string | undefined): string[] {
  const both = (name: string) => holdsPermission(held, name, admin) && holdsPermission(delegable, name, undefined);
  let result: string[];
  if (scope !== undefined) {
    result = scope.split(' ');
    if (result.some((name) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(name) || !both(name)))
      throw new ApoJwtError('ERR_SCOPE_INVALID', 'the scope asks for more than the user holds and the client may delegate');
  } else {
    result = [...held, ...delegable].filter(both);
  }
  const unique = [...new Set(result)];
  if (unique.length === 0) throw new ApoJwtError('ERR_SCOPE_INVALID', 'the user holds nothing the client may delegate');
  return unique;
}
