import { ApoJwtConfigError } from '../errors.js';
import type { GuardEngine } from '../engine.js';

/**
 * Standalone decorators (`@permissionRequired('x')` imported from a package)
 * have no instance of their own: they use the instance most recently created
 * by `createApoJwt`, looked up on each request, so a controller module may be
 * imported before the instance exists. Pass `{ apo }`, or use
 * `apo.decorators.*`, to pin one instance.
 */
let current: GuardEngine | undefined;

export function setDefaultApoJwt(apo: GuardEngine | undefined): void {
  current = apo;
}

export function defaultApoJwt(): GuardEngine {
  if (current === undefined) {
    throw new ApoJwtConfigError('no ApoJwt instance: call createApoJwt before the first request, or pass { apo } to the decorator');
  }
  return current;
}
