import { ApoJwtError } from '../errors.js';
import { expandGrants, type PermissionModel } from '../permission-model.js';
import type { Clock } from '../clock.js';
import { ApiKeys, type ApiKeysOptions } from './api-keys.js';

/**
 * An instance's `apiKeys` option made into its `ApiKeys`: given options,
 * they run on the instance's clock, and a key's permissions expand through
 * the instance's roles and implications as a token's do.
 */
export function instanceApiKeys(option: ApiKeysOptions | ApiKeys | undefined, clock: Clock, model: PermissionModel | undefined): ApiKeys | undefined {
  if (option === undefined || option instanceof ApiKeys) return option;
  const expand = model === undefined ? undefined : (perms: readonly string[]) => expandGrants(model, perms, undefined).grants;
  return new ApiKeys({ now: clock, ...option }, expand);
}

/**
 * A refusal of a key, challenged under the key scheme (`WWW-Authenticate:
 * ApiKey error="invalid_key"`, or insufficient_scope for a 403), so a
 * client is never told to send a Bearer token for a key it got wrong.
 */
export function underKeyScheme(error: unknown, scheme: string): unknown {
  if (!(error instanceof ApoJwtError) || error.details.schemes !== undefined) return error;
  return new ApoJwtError(error.code, error.message, { ...error.details, schemes: [scheme] }, { cause: error.cause });
}
