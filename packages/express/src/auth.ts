import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApoJwt, Middleware } from '@apojwt/core';
import { authEndpoints, tokenEndpoint, type AuthEndpointsOptions, type TokenEndpointOptions } from '@apojwt/auth';

// `@apojwt/express/auth`: the password login endpoints, apart from the main
// entry so that a service that only verifies tokens never loads @apojwt/auth
// (nor bcrypt).

/** The ready-made auth endpoints as Express handlers. */
export interface ExpressAuthHandlers {
  /** POST JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }` + refresh cookie. */
  readonly login: RequestHandler;
  /** POST with the refresh cookie → 200, rotated cookie. Reading it without refresh tokens configured throws ApoJwtConfigError. */
  readonly refresh: RequestHandler;
  /** POST → 204: refresh family and presented access token revoked, cookie cleared. */
  readonly logout: RequestHandler;
}

/** Express 4 ignores rejected promises: anything unexpected (a failing user lookup) goes to `next(err)`. */
function toHandler(endpoint: Middleware): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    Promise.resolve(endpoint(req, res, next)).catch(next);
  };
}

/**
 * Login, refresh and logout for an Express app, over the instance's template
 * (`template: 'express'`). Translation only: @apojwt/auth's `createAuthHandlers`
 * decides every answer. The login body is `req.body` when a body parser ran,
 * otherwise read here (JSON, at most `bodyLimit` bytes).
 */
export function authHandlers<P extends string, D extends object, R extends object>(
  apo: ApoJwt<P, D, R, boolean>,
  // NoInfer: P comes from the instance, not from the permissions `issue` returns (wildcard grants included).
  options?: AuthEndpointsOptions<NoInfer<P>, NoInfer<D>, NoInfer<R>>,
): ExpressAuthHandlers {
  const endpoints = authEndpoints(apo, options as AuthEndpointsOptions | undefined);
  const logout = toHandler(endpoints.logout);
  let login: RequestHandler | undefined;
  let refresh: RequestHandler | undefined;
  return Object.freeze({
    logout,
    // Built when first read: without a login configured, reading it throws ApoJwtConfigError naming what to call.
    get login(): RequestHandler {
      login ??= toHandler(endpoints.login);
      return login;
    },
    // Built when first read: without refresh tokens configured, reading it throws ApoJwtConfigError.
    get refresh(): RequestHandler {
      refresh ??= toHandler(endpoints.refresh);
      return refresh;
    },
  });
}

/**
 * `POST /auth/token` (OAuth 2.0 client credentials, RFC 6749 §4.4) for an
 * Express app: `app.post('/auth/token', tokenHandler(apo, { clients }))`.
 * Form-urlencoded and JSON bodies, parsed or not by the app's body parsers.
 * Translation only: @apojwt/auth's `createTokenHandler` decides every answer.
 */
export function tokenHandler<P extends string, D extends object, R extends object>(apo: ApoJwt<P, D, R, boolean>, options: TokenEndpointOptions): RequestHandler {
  return toHandler(tokenEndpoint(apo, options));
}
