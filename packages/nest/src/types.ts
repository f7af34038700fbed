import type { AccessClaims, ApoJwt, PermissionGrant, RefreshClaims, RegisteredData, RegisteredPermission, RegisteredRefreshData } from '@apojwt/core';

/**
 * The instance the module provides, typed from your `Register`. Write
 * `ApoJwtInstance<true>` where refresh tokens are configured, so
 * `createToken` returns the pair.
 */
export type ApoJwtInstance<HasRefresh extends boolean = boolean> = ApoJwt<RegisteredPermission, RegisteredData, RegisteredRefreshData, HasRefresh>;

/** What the guard puts on the request once the access token passed. */
export interface AccessValues {
  tokenData: RegisteredData;
  tokenSubject: string;
  tokenPermissions: readonly PermissionGrant<RegisteredPermission>[];
  tokenClaims: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
}

/** What the guard puts on the request once a `@Refresh()` check consumed the refresh token. */
export interface RefreshValues {
  refreshData: RegisteredRefreshData;
  refreshClaims: RefreshClaims<RegisteredRefreshData>;
}

/**
 * The request inside a handler the guard checked (a token requirement):
 * `@Req() req: GuardedRequest<Request>` reads `req.tokenSubject` without `!`.
 */
export type GuardedRequest<R extends object = object> = R & AccessValues;

/** The request inside a `@Refresh()` handler. */
export type RefreshedRequest<R extends object = object> = R & RefreshValues;
