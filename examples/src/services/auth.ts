import { generateKeyPairSync, randomBytes } from 'node:crypto';
import express from 'express';
import { createApoJwt, jwksHandler, KeyRing, type RevocationStore, type RotationStore } from '@apojwt/express';
import { authHandlers, tokenHandler } from '@apojwt/express/auth';
import { BCRYPT_COST, BILLING_AUDIENCE, CATALOG_AUDIENCE, ISSUER, ORDERS_AUDIENCE, ROLES, rolesOf, SHIPPING_AUDIENCE, users } from '../config.js';
import { memoryClientRegistry, passwordLogin } from '@apojwt/auth';
import { SERVICE_CLIENTS } from '../service-clients.js';

/** The auth service's ApoJwt instance (the accounts part issues and revokes with it). */
export type AuthApo = ReturnType<typeof createAuthService>['apo'];

export interface AuthServiceOptions {
  now: () => number;
  revocationStore: RevocationStore;
  rotationStore: RotationStore;
}

/**
 * The auth service (Express): login with the demo users, refresh with
 * rotation, logout, the token endpoint for services (client credentials,
 * token exchange), and the public keys at /.well-known/jwks.json. It is the
 * only service holding a private key (ES256, in a KeyRing so it can rotate).
 * The routes are the adapter's ready-made handlers: every decision (body,
 * credentials, rotation, revocation, cookie, status) is made by core.
 */
export function createAuthService(options: AuthServiceOptions) {
  let generation = 0;
  const nextKey = () => ({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, kid: `auth-key-${++generation}` });
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: nextKey() });

  const apo = createApoJwt({
    template: 'express',
    algorithm: 'ES256',
    keyRing: ring,
    iss: ISSUER,
    serverAudience: [ORDERS_AUDIENCE, BILLING_AUDIENCE, CATALOG_AUDIENCE, SHIPPING_AUDIENCE],
    now: options.now,
    revocationStore: options.revocationStore,
    rotationStore: options.rotationStore,
    // Refresh tokens are HMAC-signed: only this service ever verifies them. A fresh secret per start is enough for a demo.
    refresh: { refreshSecret: randomBytes(32).toString('base64url') },
    // alice holds the customer role: its permissions are written into her tokens' perms.
    roles: ROLES,
    login: passwordLogin({ getUser: (username: string) => users.get(username), cost: BCRYPT_COST }),
  });
  // Rotated tokens carry the user's current roles, looked up again.
  const auth = authHandlers(apo, { issue: (claims) => ({ sub: claims.sub, roles: rolesOf(claims.sub) }) });

  const app = express();
  app.post('/auth/login', auth.login);
  app.post('/auth/refresh', auth.refresh);
  app.post('/auth/logout', auth.logout); // revokes the refresh family and the access token sent with it
  // Services' own tokens (client credentials: the batch job) and tokens exchanged on a user's behalf
  // (RFC 8693: orders calling billing). An exchanged token lives 2 minutes, for billing only.
  app.post('/auth/token', tokenHandler(apo, { clients: memoryClientRegistry(SERVICE_CLIENTS), cost: BCRYPT_COST, exchange: { expPeriod: 120 } }));
  // A short max-age: verifiers see a rotation well within the overlap of old and new key.
  app.get('/.well-known/jwks.json', jwksHandler(apo, { maxAge: 60 }));

  return {
    app,
    apo,
    /** A new ES256 key signs from now on; the previous one keeps verifying (and stays in the JWKS) until retired. */
    rotateKey: (): string => ring.rotate(nextKey()).kid,
    /** Drops a key from the ring and the JWKS, once the tokens it signed have expired. */
    retireKey: (kid: string): string[] => {
      ring.retire(kid);
      return ring.kids;
    },
  };
}
