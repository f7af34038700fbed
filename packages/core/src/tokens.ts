import type { PermissionGrant } from './permissions.js';

/** What `createToken` is given, and what it returns. */

export interface CreateTokenInput<P extends string, D extends object, R extends object, Ro extends string = string> {
  /** Subject: usually the user id. */
  sub?: string;
  permissions?: readonly PermissionGrant<P>[];
  /** Declared roles (the `roles` option); expanded into `perms` or written as a `roles` claim (`rolesInToken`). */
  roles?: readonly Ro[];
  data?: D;
  /** Stored in the refresh token, handed to the refresh handler. */
  refreshData?: R;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export type CreateTokenResult<HasRefresh extends boolean> = HasRefresh extends true ? TokenPair : string;
