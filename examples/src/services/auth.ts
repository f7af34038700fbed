import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import express, { type Response } from 'express';
import {
  createApoJwt,
  createAuthHandlers,
  findBearerToken,
  isApoJwtError,
  jwksResponse,
  KeyRing,
  toHttpErrorResponse,
  type AuthResponse,
  type RevocationStore,
  type RotationStore,
} from '@apojwt/express';
import { BCRYPT_COST, BILLING_AUDIENCE, ISSUER, ORDERS_AUDIENCE, permissionsOf, users } from '../config.js';

export interface AuthServiceOptions {
  now: () => number;
  revocationStore: RevocationStore;
  rotationStore: RotationStore;
}

/**
 * The auth service (Express): login with the demo users, refresh with
 * rotation, logout, and the public keys at /.well-known/jwks.json. It is the
 * only service holding a private key (ES256, in a KeyRing so it can rotate).
 * Every decision is core's (`createAuthHandlers`, `jwksResponse`); the routes
 * only copy the answers into Express.
 */
export function createAuthService(options: AuthServiceOptions) {
  let generation = 0;
  const nextKey = () => ({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, kid: `auth-key-${++generation}` });
  const ring = new KeyRing({ algorithm: 'ES256', signingKey: nextKey() });

  const apo = createApoJwt({
    algorithm: 'ES256',
    keyRing: ring,
    iss: ISSUER,
    serverAudience: [ORDERS_AUDIENCE, BILLING_AUDIENCE],
    now: options.now,
    revocationStore: options.revocationStore,
    rotationStore: options.rotationStore,
    // Refresh tokens are HMAC-signed: only this service ever verifies them. A fresh secret per start is enough for a demo.
    refresh: { refreshSecret: randomBytes(32).toString('base64url') },
    login: { getUser: (username: string) => users[username], cost: BCRYPT_COST },
  });
  // Rotated tokens carry the user's current permissions, looked up again.
  const handlers = createAuthHandlers({ apo, issue: (claims) => ({ sub: claims.sub, permissions: permissionsOf(claims.sub) }) });

  const send = (res: Response, answer: AuthResponse) => {
    res.status(answer.status).set(answer.headers);
    if (answer.cookies.length > 0) res.append('Set-Cookie', answer.cookies);
    if (answer.body === undefined) res.end();
    else res.json(answer.body);
  };

  const app = express();
  // No body parser: the login handler parses (and refuses) the raw JSON itself.
  app.post('/auth/login', async (req, res) => send(res, await handlers.login({ body: await text(req), ...(req.ip ? { ip: req.ip } : {}) })));
  app.post('/auth/refresh', async (req, res) => send(res, await handlers.refresh({ cookieHeader: req.headers.cookie })));
  app.post('/auth/logout', async (req, res) => {
    let accessToken: string | undefined;
    try {
      accessToken = findBearerToken(req.rawHeaders); // logout also revokes the access token presented with it
    } catch (error) {
      if (!isApoJwtError(error)) throw error;
      const answer = toHttpErrorResponse(error);
      return void res.status(answer.status).set(answer.headers).json(answer.body);
    }
    send(res, await handlers.logout({ cookieHeader: req.headers.cookie, ...(accessToken ? { accessToken } : {}) }));
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    // A short max-age: verifiers see a rotation well within the overlap of old and new key.
    const answer = jwksResponse(apo, { maxAge: 60 });
    res.status(answer.status).set(answer.headers).json(answer.body);
  });

  return {
    app,
    /** A new ES256 key signs from now on; the previous one keeps verifying (and stays in the JWKS) until retired. */
    rotateKey: (): string => ring.rotate(nextKey()).kid,
    /** Drops a key from the ring and the JWKS, once the tokens it signed have expired. */
    retireKey: (kid: string): string[] => {
      ring.retire(kid);
      return ring.kids;
    },
  };
}
