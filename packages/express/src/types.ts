import type { Request } from 'express';
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

/**
 * The request inside a guarded method: the check passed, so the verified
 * values are there (no `req.tokenSubject!`). Write `req: GuardedRequest` in a
 * method under `@tokenRequired()` or `@permissionRequired(...)`.
 */
export type GuardedRequest<R extends Request = Request> = R & {
  tokenData: RegisteredData;
  tokenSubject: string;
  tokenPermissions: readonly PermissionGrant<RegisteredPermission>[];
  tokenClaims: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
};
