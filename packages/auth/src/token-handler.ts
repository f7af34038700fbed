import { ApoJwtConfigError, ApoJwtError, grantCovers, oauthErrorResponse, type AnyApoJwt, type AuthResponse } from '@apojwt/core';
import { knownKeys } from '@apojwt/core';
import { clientAuthenticator } from './client-authentication.js';
import { LoginLimiter } from './login-limiter.js';
import { bcryptCost } from './password.js';
import type { ClientRegistry, ServiceClient } from './service-clients.js';
import { required, tokenParameters } from './token-request.js';
import { tokenAnswer, type GrantHandler } from './token-answer.js';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant, type TokenExchangeOptions } from './token-exchange.js';

/** RFC 6749 §4.4.2. */
export const CLIENT_CREDENTIALS_GRANT = 'client_credentials';

export interface TokenHandlerOptions {
  apo: AnyApoJwt;
  /** The clients and what each may receive (`memoryClientRegistry([...])`, or the app's own lookup). */
  clients: ClientRegistry;
  /** Counts failed client authentications (only failures: `LoginLimiter.admit`); default `new LoginLimiter()` (5 per client / 15 min, 100 per IP / 1 h). `false`: none (a limit in front of it then). */
  limiter?: LoginLimiter | false;
  /** RFC 7523 §3: the `aud` client assertions must name, normally the token endpoint's URL; without it `private_key_jwt` is refused. */
  assertionAudience?: string;
  /**
   * For a registry whose secrets are password hashes (argon2id or bcrypt, from `hashClientSecret(secret, { … })` or
   * earlier versions): the bcrypt cost of the dummy hash an unknown client's secret is checked against, the cost of
   * the stored hashes. Without it the dummy is of `hashClientSecret`'s fast format, the default.
   */
  cost?: number;
  /** Serve token exchange on behalf of a user (RFC 8693) too: `true` or its options. Default off. */
  exchange?: boolean | TokenExchangeOptions;
}

/** A token request as a binding found it. */
export interface TokenRequest {
  /** The body: parsed by a body parser (object), or raw (string / bytes, parsed by `contentType`). */
  body: unknown;
  /** The `Content-Type` request header. */
  contentType?: string;
  /** The `Authorization` request header (HTTP Basic client authentication). */
  authorization?: string;
  /** The client IP, for the per-IP limit. */
  ip?: string;
}

export interface TokenHandler {
  /** POST /auth/token: the answer to copy into the framework's response. */
  token(request: TokenRequest): Promise<AuthResponse>;
}

/**
 * The OAuth 2.0 token endpoint, framework-free: client credentials (RFC 6749
 * §4.4), and other grants registered by `grants` (token exchange). The
 * issued token's subject is the client; its permissions are the requested
 * `scope` (each covered by the client's permissions), or all of them. No
 * refresh token (§4.4.3). Errors follow §5.2 through core's
 * `oauthErrorResponse`; anything else (a failing registry) is thrown for the
 * framework's 500.
 */
export function createTokenHandler(options: TokenHandlerOptions, grants: Readonly<Record<string, GrantHandler>> = {}): TokenHandler {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('createTokenHandler needs { apo, clients }');
  knownKeys('createTokenHandler', options, ['apo', 'clients', 'limiter', 'assertionAudience', 'cost', 'exchange']);
  const { apo, clients } = options;
  if (apo === null || typeof apo !== 'object') throw new ApoJwtConfigError('createTokenHandler needs { apo }');
  if (clients === null || typeof clients !== 'object' || typeof clients.get !== 'function')
    throw new ApoJwtConfigError('clients must be a client registry (memoryClientRegistry or an object with get(id))');
  if (options.limiter !== undefined && options.limiter !== false && !(options.limiter instanceof LoginLimiter)) throw new ApoJwtConfigError('limiter must be a LoginLimiter or false');
  if (options.assertionAudience !== undefined && (typeof options.assertionAudience !== 'string' || options.assertionAudience.length === 0)) {
    throw new ApoJwtConfigError('assertionAudience must be a non-empty string (the token endpoint URL)');
  }
  const cost = options.cost === undefined ? undefined : bcryptCost(options.cost);
  const limiter = options.limiter === false ? undefined : (options.limiter ?? new LoginLimiter());
  const authenticate = clientAuthenticator({ clients, limiter, assertionAudience: options.assertionAudience, nowSeconds: () => apo.nowSeconds(), cost });
  const realm = apo.realm;

  async function clientCredentials(client: ServiceClient, params: ReadonlyMap<string, string>): Promise<AuthResponse> {
    const permissions = grantedScope(params.get('scope'), client.permissions, apo.adminPermission);
    const token = apo.createAccessToken({ sub: client.id, permissions });
    return tokenAnswer(token, apo.expPeriod, permissions);
  }
  const served: Record<string, GrantHandler> = { ...grants, [CLIENT_CREDENTIALS_GRANT]: clientCredentials };
  if (options.exchange !== undefined && options.exchange !== false) {
    served[TOKEN_EXCHANGE_GRANT] = tokenExchangeGrant(apo, options.exchange === true ? {} : options.exchange);
  }

  return Object.freeze({
    async token(request: TokenRequest): Promise<AuthResponse> {
      try {
        const params = tokenParameters(request?.body, request?.contentType);
        const grantType = required(params, 'grant_type');
        const grant = Object.hasOwn(served, grantType) ? served[grantType] : undefined;
        if (grant === undefined) throw new ApoJwtError('ERR_GRANT_UNSUPPORTED', 'the grant type is not served here');
        const client = await authenticate(params, request.authorization, request.ip);
        return await grant(client, params);
      } catch (error) {
        return oauthErrorResponse(error, realm);
      }
    },
  });
}

/**
 * RFC 6749 §3.3: space-delimited scope tokens, each covered by what the
 * client may receive (wildcards and the admin permission as in a route
 * check). None asked: all of the client's permissions.
 */
export function grantedScope(scope: string | undefined, allowed: readonly string[], adminPermission: string | undefined): string[] {
  if (scope === undefined) return [...allowed];
  const requested = scope.split(' ');
  if (requested.some((name) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(name))) throw new ApoJwtError('ERR_SCOPE_INVALID', 'the scope is not space-separated scope tokens');
  for (const name of requested) {
    if (!allowed.some((granted) => grantCovers(granted, name, adminPermission))) throw new ApoJwtError('ERR_SCOPE_INVALID', 'the scope asks for a permission the client may not receive');
  }
  return [...new Set(requested)];
}
