import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { ApoJwtConfigError, jwksResponse, type JwksResponseOptions, type RegisteredPermission } from '@apojwt/core';
import { createAuthHandlers } from './handlers.js';
import { APOJWT_MODULE_OPTIONS } from '../tokens.js';
import type { ResolvedModuleOptions } from '../options.js';
import { resolveAuthOptions, type ApoJwtAuthModuleOptions } from './options.js';
import { AUTH_HANDLERS, JWKS_OPTIONS, authController, jwksController } from './controllers.js';
import { AUTH_LOGIN_PATH, AuthBodyErrors } from './body-errors.js';

/**
 * The ready-made endpoints over ApoJwtModule's instance (import ApoJwtModule too):
 * POST /auth/login (unless `login: false`), /auth/refresh, /auth/logout and, with `jwks`, GET /.well-known/jwks.json.
 *
 *   @Module({ imports: [ApoJwtModule.forRoot({ ... }), ApoJwtAuthModule.forRoot({ jwks: true })] })
 */
@Module({})
export class ApoJwtAuthModule {
  // P is the app's Register (never inferred from `issue`: a misspelt permission there does not compile).
  static forRoot<P extends string = RegisteredPermission, D extends object = object, R extends object = object>(options?: ApoJwtAuthModuleOptions<NoInfer<P>, D, R>): DynamicModule {
    const resolved = resolveAuthOptions(options);
    const controllers: Type<unknown>[] = [];
    const providers: Provider[] = [];
    if (resolved.path !== false) {
      controllers.push(authController(resolved.path, { login: resolved.login, refresh: resolved.refresh }));
      // The route's own path, as Express reports it: '/auth/login' for path 'auth' or '/auth/'.
      if (resolved.login) providers.push({ provide: AUTH_LOGIN_PATH, useValue: `/${resolved.path.replace(/^\/+|\/+$/g, '')}/login` }, AuthBodyErrors);
      providers.push({
        provide: AUTH_HANDLERS,
        inject: [APOJWT_MODULE_OPTIONS],
        useFactory: ({ apo, credentials }: ResolvedModuleOptions) => {
          if (resolved.login && resolved.handlers.login === undefined && !apo.loginEnabled) {
            throw new ApoJwtConfigError(
              'ApoJwtAuthModule mounts POST login, but the instance has no login: pass login: passwordLogin({ getUser }) (@apojwt/auth) to ApoJwtModule, or login to ApoJwtAuthModule',
            );
          }
          if (resolved.refresh && !apo.refreshEnabled) {
            throw new ApoJwtConfigError('ApoJwtAuthModule mounts POST refresh, but the instance has no refresh tokens configured: configure refresh or pass refresh: false');
          }
          // The cookie the endpoints write is the one @Refresh() reads, unless named otherwise.
          const cookie = { name: credentials.refreshCookie, ...resolved.handlers.cookie };
          return createAuthHandlers({ apo, ...resolved.handlers, cookie });
        },
      });
    }
    const jwks = resolved.jwks;
    if (jwks !== undefined) {
      controllers.push(jwksController(jwks.path));
      providers.push({
        provide: JWKS_OPTIONS,
        inject: [APOJWT_MODULE_OPTIONS],
        useFactory: ({ apo }: ResolvedModuleOptions): JwksResponseOptions => {
          const jwksOptions = jwks.maxAge === undefined ? {} : { maxAge: jwks.maxAge };
          jwksResponse(apo, jwksOptions); // at start-up: bad options, or an instance with no public keys (HS), fail here
          return jwksOptions;
        },
      });
    }
    return { module: ApoJwtAuthModule, controllers, providers };
  }
}
