import type { FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { ApoJwtConfigError } from '@apojwt/core';
import { listAccountRoutes, type AccountEndpoints, type AccountRoute } from './routes.js';

/** The handler sets the routes answer with: `{ accounts }` (createAccountHandlers), `{ twoFactor }` (createTwoFactorHandlers), or both. */
export type ApoJwtAccountsModuleOptions = AccountEndpoints;

export interface ApoJwtAccountsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Providers passed to `useFactory` (e.g. the one that opened the database). */
  inject?: FactoryProvider['inject'];
  /** Called with the `inject` providers; answers the handler sets, as `forRoot` takes them. */
  useFactory: FactoryProvider<ApoJwtAccountsModuleOptions>['useFactory'];
  /**
   * Mount `POST /auth/login` as the two-step login (the factory must then
   * give `twoFactor`); default false, where ApoJwtAuthModule's login serves
   * that path. Given here, not by the factory: it decides which routes exist.
   */
  twoFactorLogin?: boolean;
}

/** `"POST /auth/register"` → its route: what each controller method looks up. */
export type AccountRouteMap = ReadonlyMap<string, AccountRoute>;

export const routeKey = (method: string, path: string): string => `${method} ${path}`;

/** Whether `forRoot`'s options mount the two-step login: exactly when they hold `twoFactor`. */
export function hasTwoFactor(endpoints: unknown): boolean {
  return endpoints !== null && typeof endpoints === 'object' && (endpoints as AccountEndpoints).twoFactor !== undefined;
}

/**
 * The routes of the handler sets, checked once (`listAccountRoutes` refuses
 * anything but handler sets), and checked against the controllers mounted:
 * the two-step login is mounted or not before the factory answers.
 */
export function resolveAccountRoutes(endpoints: ApoJwtAccountsModuleOptions, twoFactorLogin: boolean): AccountRouteMap {
  const routes = listAccountRoutes(endpoints);
  if (twoFactorLogin && !hasTwoFactor(endpoints)) {
    throw new ApoJwtConfigError('ApoJwtAccountsModule: twoFactorLogin mounts POST /auth/login, but the factory gave no twoFactor (createTwoFactorHandlers)');
  }
  if (!twoFactorLogin && hasTwoFactor(endpoints)) {
    throw new ApoJwtConfigError('ApoJwtAccountsModule: the factory gave twoFactor, whose first login step is POST /auth/login: pass twoFactorLogin: true beside useFactory');
  }
  return new Map(routes.map((route) => [routeKey(route.method, route.path), route]));
}
