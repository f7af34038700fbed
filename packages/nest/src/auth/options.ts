import { ApoJwtConfigError, type IssueFromRefresh } from '@apojwt/core';
import type { AuthHandlersOptions, RefreshCookieOptions } from './handlers.js';

/** The instance's permission, data and refresh-data types flow into `issue` (e.g. `trackSessions(apo, sessions)` spread in). */
export interface ApoJwtAuthModuleOptions<P extends string = string, D extends object = object, R extends object = object> {
  /** Where POST login, refresh and logout are mounted: default 'auth' (/auth/login …); false mounts none of them. */
  path?: string | false;
  /**
   * The login function; default `apo.login` (the ApoJwt `login` options).
   * false: no POST {path}/login, for an app whose login is elsewhere (the
   * two-step login of `@apojwt/nest/accounts`); refresh and logout stay.
   */
  login?: AuthHandlersOptions['login'] | false;
  /** POST {path}/refresh; default true. Needs refresh tokens configured (checked at start-up). */
  refresh?: boolean;
  /** The refresh cookie; its name defaults to the one ApoJwtModule's @Refresh() reads. */
  cookie?: RefreshCookieOptions;
  /** Contents of the rotated tokens (look up current permissions here). */
  issue?: IssueFromRefresh<P, D, R>;
  /** GET /.well-known/jwks.json (true), at another path, with another cache lifetime; default false. */
  jwks?: boolean | { path?: string; maxAge?: number };
}

export interface ResolvedAuthOptions {
  readonly path: string | false;
  /** Whether POST {path}/login is mounted. */
  readonly login: boolean;
  readonly refresh: boolean;
  readonly jwks: { readonly path: string; readonly maxAge: number | undefined } | undefined;
  readonly handlers: Pick<AuthHandlersOptions, 'login' | 'cookie' | 'issue'>;
}

const KEYS = ['path', 'login', 'refresh', 'cookie', 'issue', 'jwks'];
const JWKS_PATH = '.well-known/jwks.json';

/** Checked when forRoot is called; what needs the instance (cookie, keys) is checked when the module is created. */
export function resolveAuthOptions<P extends string, D extends object, R extends object>(options: ApoJwtAuthModuleOptions<P, D, R> = {}): ResolvedAuthOptions {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('ApoJwtAuthModule options must be an object');
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) throw new ApoJwtConfigError(`unknown ApoJwtAuthModule option "${key}" (known: ${KEYS.join(', ')})`);
  }
  const { path = 'auth', refresh = true, jwks = false, login, cookie, issue } = options;
  if (path !== false && (typeof path !== 'string' || path.length === 0)) throw new ApoJwtConfigError('ApoJwtAuthModule option path must be a non-empty string or false');
  if (typeof refresh !== 'boolean') throw new ApoJwtConfigError('ApoJwtAuthModule option refresh must be a boolean');
  if (login !== undefined && login !== false && typeof login !== 'function') throw new ApoJwtConfigError('ApoJwtAuthModule option login must be a login function or false');
  let resolvedJwks: ResolvedAuthOptions['jwks'];
  if (jwks === true) resolvedJwks = { path: JWKS_PATH, maxAge: undefined };
  else if (jwks !== false) {
    if (jwks === null || typeof jwks !== 'object') throw new ApoJwtConfigError('ApoJwtAuthModule option jwks must be a boolean or { path, maxAge }');
    const jwksPath = jwks.path ?? JWKS_PATH;
    if (typeof jwksPath !== 'string' || jwksPath.length === 0) throw new ApoJwtConfigError('ApoJwtAuthModule option jwks.path must be a non-empty string');
    resolvedJwks = { path: jwksPath, maxAge: jwks.maxAge };
  }
  // The handlers are typed for an instance of any types; the module's own types were checked at the call.
  const handlers = { ...(typeof login === 'function' && { login }), ...(cookie !== undefined && { cookie }), ...(issue !== undefined && { issue: issue as unknown as IssueFromRefresh }) };
  return Object.freeze({ path, login: login !== false, refresh, jwks: resolvedJwks, handlers });
}
