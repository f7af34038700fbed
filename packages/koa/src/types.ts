import type { AccessClaims, RefreshClaims, RegisteredData, RegisteredPermission, RegisteredRefreshData, PermissionGrant } from '@apojwt/core';
import type { Context } from 'koa';

/** After a passed check, the verified values are on `ctx.state`, typed from your `Register`. */
declare module 'koa' {
  interface DefaultState {
    tokenData?: RegisteredData;
    tokenSubject?: string;
    tokenPermissions?: readonly PermissionGrant<RegisteredPermission>[];
    tokenClaims?: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
    refreshData?: RegisteredRefreshData;
    refreshClaims?: RefreshClaims<RegisteredRefreshData>;
  }
}

/** The verified values inside a guarded method: present, not optional. */
export interface GuardedState {
  tokenData: RegisteredData;
  tokenSubject: string;
  tokenPermissions: readonly PermissionGrant<RegisteredPermission>[];
  tokenClaims: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
}

/**
 * The context inside a guarded method: `ctx.state.tokenSubject` and friends
 * are there (no `!`). Write `ctx: GuardedContext` in a method under
 * `@tokenRequired()` or `@permissionRequired(...)`.
 */
export type GuardedContext<C extends Context = Context> = C & { state: C['state'] & GuardedState };
