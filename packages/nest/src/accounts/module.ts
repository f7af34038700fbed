import { Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { ApoJwtConfigError } from '@apojwt/core';
import { ACCOUNT_ROUTES, ApoJwtAccountsController, ApoJwtTwoFactorLoginController } from './controllers.js';
import { AccountBodyErrors } from './body-errors.js';
import { hasTwoFactor, resolveAccountRoutes, type ApoJwtAccountsModuleAsyncOptions, type ApoJwtAccountsModuleOptions } from './options.js';

/**
 * The ready-made account routes (`listAccountRoutes` of @apojwt/postgres) as
 * Nest controllers: registration, email verification, password reset and
 * change, the session list, logging out everywhere, 2FA enrolment and the
 * two-step login. The handler sets carry their ApoJwt instance, so the module
 * needs nothing of ApoJwtModule; its routes are `@Public()` for its guard.
 *
 *   @Module({ imports: [ApoJwtAccountsModule.forRoot({ accounts, twoFactor })] })
 */
@Module({})
export class ApoJwtAccountsModule {
  static forRoot(options: ApoJwtAccountsModuleOptions): DynamicModule {
    const twoFactorLogin = hasTwoFactor(options);
    const routes = resolveAccountRoutes(options, twoFactorLogin);
    return ApoJwtAccountsModule.assemble([], { provide: ACCOUNT_ROUTES, useValue: routes }, twoFactorLogin);
  }

  static forRootAsync(options: ApoJwtAccountsModuleAsyncOptions): DynamicModule {
    if (options === null || typeof options !== 'object' || typeof options.useFactory !== 'function') {
      throw new ApoJwtConfigError('ApoJwtAccountsModule.forRootAsync needs { useFactory } (and inject / imports for its dependencies)');
    }
    const twoFactorLogin = options.twoFactorLogin ?? false;
    if (typeof twoFactorLogin !== 'boolean') throw new ApoJwtConfigError('ApoJwtAccountsModule option twoFactorLogin must be a boolean');
    const { useFactory } = options;
    const provider: Provider = {
      provide: ACCOUNT_ROUTES,
      inject: options.inject ?? [],
      useFactory: async (...args: unknown[]) => resolveAccountRoutes(await useFactory(...args), twoFactorLogin),
    };
    return ApoJwtAccountsModule.assemble(options.imports ?? [], provider, twoFactorLogin);
  }

  private static assemble(imports: NonNullable<ModuleMetadata['imports']>, routes: Provider, twoFactorLogin: boolean): DynamicModule {
    const controllers: Type<unknown>[] = [ApoJwtAccountsController];
    if (twoFactorLogin) controllers.push(ApoJwtTwoFactorLoginController);
    return { module: ApoJwtAccountsModule, imports, controllers, providers: [routes, AccountBodyErrors] };
  }
}
