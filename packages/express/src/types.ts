import type { AccessClaims, RefreshClaims, RegisteredData, RegisteredPermission, RegisteredRefreshData, PermissionGrant } from '@apojwt/core';

/** After a passed check, the verified values are on `req`, typed from your `Register`. */
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      tokenData?: RegisteredData;
      tokenSubject?: string;
      tokenPermissions?: readonly PermissionGrant<RegisteredPermission>[];
      tokenClaims?: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
      refreshData?: RegisteredRefreshData;
      refreshClaims?: RefreshClaims<RegisteredRefreshData>;
    }
  }
}

export {};
