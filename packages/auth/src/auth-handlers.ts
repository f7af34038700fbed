import {
  ApoJwtConfigError,
  ApoJwtError,
  authErrorResponse,
  createRefreshHandler,
  isApoJwtError,
  NO_STORE,
  refreshCookie,
  refreshTokenOf,
  tokenResponse,
  type AnyApoJwt,
  type AuthResponse,
  type IssueFromRefresh,
  type LoginFunction,
  type RefreshCookie,
  type RefreshCookieOptions,
} from '@apojwt/core';
import { knownKeys } from '@apojwt/core';

/**
 * Ready-made login / refresh / logout endpoints, framework-free: plain values
 * in, a description of the HTTP answer out. An Express or Koa binding only
 * copies `status`, `headers`, `cookies` (Set-Cookie values) and `body`: the
 * Express and Koa endpoints (`authEndpoints(apo)`, `authHandlers(apo)`) are
 * such translations of this one implementation.
 *
 * - login: JSON body { username, password } → 200 { accessToken, tokenType,
 *   expiresIn }; with refresh configured the refresh token goes into the
 *   cookie, never into the body (no script can read it).
 * - refresh: the cookie → a rotated pair (single-use refresh tokens; a replay
 *   revokes the family) → 200 like login.
 * - logout: revokes the cookie's refresh family (and the access token when
 *   given), clears the cookie → 204.
 * Every ApoJwtError becomes its one status via toHttpErrorResponse; anything
 * else (a failing user lookup) is thrown for the framework's 500.
 */

export interface AuthHandlersOptions {
  apo: AnyApoJwt;
  /** The login function; default `apo.login` (configure it with `login` options or `configLogin`). */
  login?: LoginFunction<boolean>;
  /** The refresh cookie; defaults: `apojwt_refresh`, Path `/auth`, HttpOnly, Secure, SameSite=Strict. */
  cookie?: RefreshCookieOptions;
  /** Contents of the rotated tokens (look up current permissions here); default: sub and refresh data carry over. */
  issue?: IssueFromRefresh;
}

export interface AuthRequest {
  /** The parsed request body (login). A JSON string is parsed. */
  body?: unknown;
  /** The client IP, for the per-IP login limit. */
  ip?: string;
  /** The client's User-Agent header, passed to the login (session-recording logins keep it). */
  userAgent?: string;
  /** The raw `Cookie` request header (refresh, logout); the refresh cookie is read from it. */
  cookieHeader?: string;
  /** The refresh token, when the binding already extracted it (takes precedence over `cookieHeader`). */
  refreshToken?: string;
  /** The access token of the request, revoked by logout when present. */
  accessToken?: string;
}

export interface AuthHandlers {
  readonly cookieName: string;
  /** The validated refresh cookie the three handlers write. */
  readonly cookie: RefreshCookie;
  login(request: AuthRequest): Promise<AuthResponse>;
  refresh(request: AuthRequest): Promise<AuthResponse>;
  logout(request: AuthRequest): Promise<AuthResponse>;
}

export function createAuthHandlers(options: AuthHandlersOptions): AuthHandlers {
  if (options === null || typeof options !== 'object' || options.apo === null || typeof options.apo !== 'object') {
    throw new ApoJwtConfigError('createAuthHandlers needs { apo }');
  }
  knownKeys('createAuthHandlers', options, ['apo', 'login', 'cookie', 'issue']);
  const { apo, issue } = options;
  if (options.login !== undefined && typeof options.login !== 'function') throw new ApoJwtConfigError('login must be a function');
  if (issue !== undefined && typeof issue !== 'function') throw new ApoJwtConfigError('issue must be a function');
  const login: LoginFunction<boolean> = options.login ?? ((u, p, c) => apo.login(u, p, c));
  const cookie = refreshCookie(options.cookie);
  const realm = typeof apo.realm === 'string' ? apo.realm : undefined;

  const tokens = (result: Parameters<typeof tokenResponse>[2]): AuthResponse => tokenResponse(apo, cookie, result);
  const refresh = createRefreshHandler(apo, cookie, issue);

  return Object.freeze({
    cookieName: cookie.name,
    cookie,

    async login(request: AuthRequest): Promise<AuthResponse> {
      try {
        const { username, password } = credentials(request?.body);
        const context = { ...(typeof request.ip === 'string' && { ip: request.ip }), ...(typeof request.userAgent === 'string' && { userAgent: request.userAgent }) };
        return tokens(await login(username, password, context));
      } catch (error) {
        return authErrorResponse(error, [], realm);
      }
    },

    refresh,

    async logout(request: AuthRequest): Promise<AuthResponse> {
      const clear = [cookie.clear()];
      try {
        const refreshToken = refreshTokenOf(cookie, request);
        if (isJwt(refreshToken)) await revokeQuietly(apo, refreshToken);
        if (isJwt(request?.accessToken)) await revokeAccessToken(apo, request.accessToken);
      } catch (error) {
        return authErrorResponse(error, clear, realm);
      }
      return { status: 204, headers: { ...NO_STORE }, cookies: clear, body: undefined };
    },
  });
}

function credentials(body: unknown): { username: string; password: string } {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      value = undefined;
    }
  }
  const record = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const username = record?.['username'];
  const password = record?.['password'];
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new ApoJwtError('ERR_BODY_INVALID', 'the body must be a JSON object with string "username" and "password"');
  }
  return { username, password };
}

/** Only whole JWTs: a bare string would be taken as a jti and fill the store. */
function isJwt(token: unknown): token is string {
  return typeof token === 'string' && token.split('.').length === 3;
}

/**
 * The access token of a logout. One without `jti` (Python apojwt's, under
 * pythonCompat) cannot be revoked alone: its subject is, so a 204 never
 * leaves the presented token valid (the user's other sessions end too).
 */
async function revokeAccessToken(apo: AnyApoJwt, token: string): Promise<void> {
  let claims: { jti: string | undefined; sub: string };
  try {
    claims = await apo.verify(token);
  } catch (error) {
    if (isApoJwtError(error) && error.status === 401) return; // no longer valid: nothing to revoke
    throw error;
  }
  if (claims.jti === undefined) return apo.revokeSubject(claims.sub);
  await revokeQuietly(apo, token);
}

/** Logging out with a token that no longer verifies is already done; a store that cannot answer is not (503). */
async function revokeQuietly(apo: AnyApoJwt, token: string): Promise<void> {
  try {
    await apo.revoke(token);
  } catch (error) {
    if (isApoJwtError(error) && error.status === 401) return;
    // A refresh cookie on an instance without refresh tokens: no token it could accept.
    if (error instanceof ApoJwtConfigError) return;
    throw error;
  }
}
