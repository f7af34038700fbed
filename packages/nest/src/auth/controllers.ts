import { Controller, Get, Inject, Post, Req, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { headerValues, jwksResponse, type JwksResponseOptions } from '@apojwt/core';
import type { AuthHandlers, AuthRequest, AuthResponse } from './handlers.js';
import { Public } from '../metadata.js';
import { APOJWT_MODULE_OPTIONS } from '../tokens.js';
import { accessTokenOf, rawRequestOf, refreshTokenOf, sentBody } from '../request.js';
import type { ResolvedModuleOptions } from '../options.js';
import { sendAnswer as send } from '../reply.js';

/** Injection tokens of what the auth module builds over the module's instance. */
export const AUTH_HANDLERS = Symbol('apojwt.auth-handlers');
export const JWKS_OPTIONS = Symbol('apojwt.jwks-options');

type AnyRequest = { body?: unknown; ip?: unknown };

/** A credential the client sent, or undefined when absent or unreadable (logout clears the cookie whatever it got). */
function quietly(read: () => string | undefined): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * POST login, refresh and logout under `path`. Translation only: core's
 * `createAuthHandlers` decides every answer (status, cookies, body); this
 * controller reads the request parts it needs and copies the answer back.
 * Public: the routes are open by nature, and `requireDecision` must not refuse them.
 */
export function authController(path: string, mount: { readonly login: boolean; readonly refresh: boolean }): Type<unknown> {
  @Public()
  @Controller(path)
  class ApoJwtAuthController {
    constructor(
      @Inject(AUTH_HANDLERS) private readonly handlers: AuthHandlers,
      @Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
      @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    ) {}

    @Post('logout')
    async logout(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
      const { credentials } = this.options;
      const refreshToken = quietly(() => refreshTokenOf(request, credentials));
      const accessToken = quietly(() => accessTokenOf(request, credentials));
      const parts: AuthRequest = { ...(refreshToken !== undefined && { refreshToken }), ...(accessToken !== undefined && { accessToken }) };
      send(this.adapterHost, response, await this.handlers.logout(parts));
    }

    async signIn(request: AnyRequest, response: unknown): Promise<void> {
      const ip = request.ip;
      // The first User-Agent line, as the other adapters' endpoints read it: a session-recording login keeps it.
      const userAgent = headerValues(rawRequestOf(request).rawHeaders, 'user-agent')[0];
      const answer = await this.handlers.login({ body: sentBody(request), ...(typeof ip === 'string' && { ip }), ...(userAgent !== undefined && { userAgent }) });
      send(this.adapterHost, response, answer);
    }

    async refreshSession(request: AnyRequest, response: unknown): Promise<void> {
      const cookieHeader = rawRequestOf(request).headers.cookie;
      const answer: AuthResponse = await this.handlers.refresh(cookieHeader === undefined ? {} : { cookieHeader });
      send(this.adapterHost, response, answer);
    }
  }
  // Each route is declared only when mounted: a route that could only fail, or
  // that another module serves (login: false), is not there at all.
  let controller = ApoJwtAuthController;
  if (mount.login) {
    class WithLogin extends controller {
      @Post('login')
      login(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
        return this.signIn(request, response);
      }
    }
    controller = WithLogin;
  }
  if (mount.refresh) {
    class WithRefresh extends controller {
      @Post('refresh')
      refresh(@Req() request: AnyRequest, @Res() response: unknown): Promise<void> {
        return this.refreshSession(request, response);
      }
    }
    controller = WithRefresh;
  }
  return controller;
}

/** GET the public JWK Set (`apo.jwks()`), read on each request so a key rotation shows at once. */
export function jwksController(path: string): Type<unknown> {
  @Public()
  @Controller()
  class ApoJwtJwksController {
    constructor(
      @Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
      @Inject(JWKS_OPTIONS) private readonly jwksOptions: JwksResponseOptions,
      @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    ) {}

    @Get(path)
    jwks(@Res() response: unknown): void {
      send(this.adapterHost, response, jwksResponse(this.options.apo, this.jwksOptions));
    }
  }
  return ApoJwtJwksController;
}
