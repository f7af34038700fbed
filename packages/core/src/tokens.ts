import type { PermissionGrant } from './permissions.js';

/** What `createToken` is given, and what it returns. */

export interface CreateTokenInput<P extends string, D extends object, R extends object> {
  /** Subject: usually the user id. */
  sub?: string;
  permissions?: readonly PermissionGrant<P>[];
  data?: D;
  /** Stored in the refresh token, handed to the refresh handler. */
  refreshData?: R;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export type CreateTokenResult<HasRefresh extends boolean> = HasRefresh extends true ? TokenPair : string;
