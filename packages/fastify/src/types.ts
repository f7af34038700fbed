import type { AccessClaims, PermissionGrant, RefreshClaims, RegisteredData, RegisteredPermission, RegisteredRefreshData } from '@apojwt/core';
import type { FastifyRequest, RouteGenericInterface } from 'fastify';
import type { FastifyGuard } from './pre-handler.js';

/**
 * After a passed check, the verified values are on the request, typed from
 * your `Register`. `null` until a check passed on a request (the plugin
 * declares them); absent when the plugin is not registered.
 */
declare module 'fastify' {
  interface FastifyRequest {
    tokenData?: RegisteredData | null;
    tokenSubject?: string | null;
    tokenPermissions?: readonly PermissionGrant<RegisteredPermission>[] | null;
    tokenClaims?: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData> | null;
    refreshData?: RegisteredRefreshData | null;
    refreshClaims?: RefreshClaims<RegisteredRefreshData> | null;
  }
  interface FastifyInstance {
    /** The preHandler hooks of the instance given to `apojwtPlugin`. */
    apojwt: FastifyGuard<RegisteredPermission>;
  }
}

/** What an access check guarantees on the request it passed. */
export interface GuardedValues {
  tokenData: RegisteredData;
  tokenSubject: string;
  tokenPermissions: readonly PermissionGrant<RegisteredPermission>[];
  tokenClaims: AccessClaims<PermissionGrant<RegisteredPermission>, RegisteredData>;
}

/**
 * The request inside a method guarded by `@tokenRequired()` or
 * `@permissionRequired()` (or after their preHandler hook): the access
 * token's values are there, no `!` needed.
 */
export type GuardedFastifyRequest<RouteGeneric extends RouteGenericInterface = RouteGenericInterface> = FastifyRequest<RouteGeneric> & GuardedValues;
