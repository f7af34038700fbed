import { ApoJwt } from '@apojwt/express';
import { AUDIENCE, ISSUER, PERMISSION, SECRET } from './shared.js';

/**
 * The one token every load generator sends (run.ts, paired.ts,
 * instructions.ts): HS256, with iss, aud and the permission every case
 * checks (apojwt's `perms` claim), valid for an hour.
 */
export function loadToken(): string {
  return new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE, expPeriod: 3600 }).createToken({ sub: 'bench-user', permissions: [PERMISSION] });
}
