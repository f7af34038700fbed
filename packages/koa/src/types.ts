import type { AccessClaims, RefreshClaims, RegisteredData, RegisteredPermission, RegisteredRefreshData, PermissionGrant } from '@apojwt/core';
import type {} from 'koa';

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

export {};
