import { Global, Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApoJwtConfigError } from '@apojwt/core';
import { APOJWT, APOJWT_MODULE_OPTIONS } from './tokens.js';
import { resolveModuleOptions, type ApoJwtModuleOptions, type ResolvedModuleOptions } from './options.js';
import { ApoJwtGuard } from './guard.js';
import { scopeInterceptorIfWanted } from './scope.interceptor.js';
import { ApoJwtExceptionFilter } from './exception-filter.js';
import { ApoJwtPlatformCheck } from './platform-check.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The factory's answer: the forRoot options without `guard`, which is given beside `useFactory`. */
export type ApoJwtModuleFactoryOptions = DistributiveOmit<ApoJwtModuleOptions, 'guard'>;

export interface ApoJwtModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers passed to `useFactory` (e.g. ConfigService). */
  inject?: FactoryProvider['inject'];
  /** Called with the `inject` providers, typed as the app declares them: Nest's own factory type. */
  useFactory: FactoryProvider<ApoJwtModuleFactoryOptions>['useFactory'];
  /** 'global' (default) or 'none'. Given here, not by the factory: it decides which providers the module registers. */
  guard?: 'global' | 'none';
}

/**
 * The ApoJwt instance for the whole app (global module): the guard (global
 * by default), the request scope core's own decorators need (when the app
 * has such methods or `@Refresh()` handlers), and the exception filter
 * giving RFC 6750 answers.
 *
 *   @Module({ imports: [ApoJwtModule.forRoot({ secret, iss, serverAudience })] })
 */
@Global()
@Module({})
export class ApoJwtModule {
  static forRoot(options: ApoJwtModuleOptions): DynamicModule {
    const resolved = resolveModuleOptions(options);
    return ApoJwtModule.assemble([], { provide: APOJWT_MODULE_OPTIONS, useValue: resolved }, resolved.guard);
  }

  static forRootAsync(options: ApoJwtModuleAsyncOptions): DynamicModule {
    if (options === null || typeof options !== 'object' || typeof options.useFactory !== 'function') {
      throw new ApoJwtConfigError('ApoJwtModule.forRootAsync needs { useFactory } (and inject / imports for its dependencies)');
    }
    const guard = options.guard ?? 'global';
    if (guard !== 'global' && guard !== 'none') throw new ApoJwtConfigError(`ApoJwtModule option guard must be 'global' or 'none'`);
    const { useFactory } = options;
    const provider: FactoryProvider<Promise<ResolvedModuleOptions>> = {
      provide: APOJWT_MODULE_OPTIONS,
      inject: options.inject ?? [],
      async useFactory(...args: unknown[]) {
        const answer: unknown = await useFactory(...args);
        if (answer !== null && typeof answer === 'object' && 'guard' in answer) {
          throw new ApoJwtConfigError('ApoJwtModule.forRootAsync: give guard beside useFactory, not in its result');
        }
        return resolveModuleOptions({ ...(answer as object), guard });
      },
    };
    return ApoJwtModule.assemble(options.imports ?? [], provider, guard);
  }

  private static assemble(imports: NonNullable<ModuleMetadata['imports']>, options: Provider, guard: 'global' | 'none'): DynamicModule {
    const providers: Provider[] = [
      options,
      { provide: APOJWT, inject: [APOJWT_MODULE_OPTIONS], useFactory: (resolved: ResolvedModuleOptions) => resolved.apo },
      ApoJwtGuard,
      ApoJwtPlatformCheck,
      // null (no interceptor) while nothing reads the request scope: Nest skips an enhancer factory that returns nothing.
      { provide: APP_INTERCEPTOR, inject: [APOJWT_MODULE_OPTIONS], useFactory: scopeInterceptorIfWanted },
      { provide: APP_FILTER, useClass: ApoJwtExceptionFilter },
    ];
    if (guard === 'global') providers.push({ provide: APP_GUARD, useExisting: ApoJwtGuard });
    return {
      module: ApoJwtModule,
      global: true,
      imports,
      providers,
      exports: [APOJWT, APOJWT_MODULE_OPTIONS, ApoJwtGuard],
    };
  }
}
