import { ApoJwtConfigError } from '../errors.js';
import type { GuardEngine } from '../engine.js';

/**
 * `@refresh()` and `apo.refresh()` on an instance without refresh tokens: said
 * where the app sets up (pinned instances), or at the first request naming
 * the public call to make, never as an internal method's complaint.
 */
export function assertRefreshEnabled(apo: GuardEngine): void {
  if (!apo.refreshEnabled) {
    throw new ApoJwtConfigError('@refresh() needs refresh tokens: pass `refresh` to createApoJwt, or call apo.configRefresh({ refreshSecret }) first');
  }
}
