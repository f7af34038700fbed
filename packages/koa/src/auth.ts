import type { Middleware as KoaMiddleware } from 'koa';
import type { ApoJwt } from '@apojwt/core';
import { authEndpoints, type AuthEndpointsOptions } from '@apojwt/auth';

// `@apojwt/koa/auth`: the password login endpoints, apart from the main
// entry so that a service that only verifies tokens never loads @apojwt/auth
// (nor bcrypt).

/** The ready-made auth endpoints as Koa middleware. */
export interface KoaAuthHandlers {
  /** POST JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }` + refresh cookie. */
  readonly login: KoaMiddleware;
  /** POST with the refresh cookie → 200, rotated cookie. Reading it without refresh tokens configured throws ApoJwtConfigError. */
  readonly refresh: KoaMiddleware;
  /** POST → 204: refresh family and presented access token revoked, cookie cleared. */
  readonly logout: KoaMiddleware;
}

/**
 * Login, refresh and logout for a Koa app, over the instance's template
 * (`template: 'koa'`). Translation only: @apojwt/auth's `createAuthHandlers` decides
 * every answer. The login body is `ctx.request.body` when a body parser ran,
 * otherwise read here (JSON, at most `bodyLimit` bytes). Each is an endpoint:
 * it answers and does not call `next`.
 */
export function authHandlers<P extends string, D extends object, R extends object>(
  apo: ApoJwt<P, D, R, boolean>,
  // NoInfer: P comes from the instance, not from the permissions `issue` returns (wildcard grants included).
  options?: AuthEndpointsOptions<NoInfer<P>, NoInfer<D>, NoInfer<R>>,
): KoaAuthHandlers {
  const endpoints = authEndpoints(apo, options as AuthEndpointsOptions | undefined);
  return endpoints as KoaAuthHandlers;
}
