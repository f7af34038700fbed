import type { ApoJwt, Middleware } from '@apojwt/core';
import { authEndpoints, type AuthEndpointsOptions } from '@apojwt/auth';

// `@apojwt/fastify/auth`: the password login endpoints, apart from the main
// entry so that a service that only verifies tokens never loads @apojwt/auth
// (nor bcrypt).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApoRouteHandler } from './handlers.js';

/** The ready-made auth endpoints as Fastify route handlers. */
export interface FastifyAuthHandlers {
  /** POST JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }` + refresh cookie. */
  readonly login: ApoRouteHandler;
  /** POST with the refresh cookie → 200, rotated cookie. Reading it without refresh tokens configured throws ApoJwtConfigError. */
  readonly refresh: ApoRouteHandler;
  /** POST → 204: refresh family and presented access token revoked, cookie cleared. */
  readonly logout: ApoRouteHandler;
}

/** Each endpoint answers through the template's `respond` and resolves to the reply, so Fastify sends nothing more. */
function toHandler(endpoint: Middleware): ApoRouteHandler {
  return (request: FastifyRequest, reply: FastifyReply) => endpoint(request, reply) as Promise<FastifyReply>;
}

/**
 * Login, refresh and logout for a Fastify app, over the instance's template
 * (`template: 'fastify'`). Translation only: core decides every answer. The
 * login body is `request.body` as Fastify's JSON parser produced it (a
 * malformed body is Fastify's own 400); in a context whose parser leaves the
 * body unread, it is read here (JSON, at most `bodyLimit` bytes).
 */
export function authHandlers<P extends string, D extends object, R extends object>(
  apo: ApoJwt<P, D, R, boolean>,
  // NoInfer: P comes from the instance, not from the permissions `issue` returns (wildcard grants included).
  options?: AuthEndpointsOptions<NoInfer<P>, NoInfer<D>, NoInfer<R>>,
): FastifyAuthHandlers {
  const endpoints = authEndpoints(apo, options as AuthEndpointsOptions | undefined);
  const logout = toHandler(endpoints.logout);
  let login: ApoRouteHandler | undefined;
  let refresh: ApoRouteHandler | undefined;
  return Object.freeze({
    logout,
    // Built when first read: without a login configured, reading it throws ApoJwtConfigError naming what to call.
    get login(): ApoRouteHandler {
      login ??= toHandler(endpoints.login);
      return login;
    },
    // Built when first read: without refresh tokens configured, reading it throws ApoJwtConfigError.
    get refresh(): ApoRouteHandler {
      refresh ??= toHandler(endpoints.refresh);
      return refresh;
    },
  });
}
