import { ApoJwt } from './apojwt.js';
import { setDefaultApoJwt } from './decorators/default-instance.js';
import type { ApoJwtOptions, RefreshOptions } from './options.js';
import type { RegisteredData, RegisteredPermission, RegisteredRefreshData } from './register.js';

/**
 * The entry point: `createApoJwt({ template: 'express', secret, iss, serverAudience })`.
 * Passing `refresh` makes `createToken` return `{ accessToken, refreshToken }`
 * in the type as well as at run time. The new instance becomes the one
 * standalone decorators (`@permissionRequired` without `{ apo }`) use.
 */
export function createApoJwt<const O extends ApoJwtOptions>(
  options: O,
): ApoJwt<RegisteredPermission, RegisteredData, RegisteredRefreshData, O extends { refresh: RefreshOptions } ? true : false> {
  const apo = new ApoJwt(options);
  setDefaultApoJwt(apo);
  return apo as never;
}
