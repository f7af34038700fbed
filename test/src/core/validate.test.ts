// Option names are checked by name in every package (core's knownKeys): a
// misspelt option is refused when the object is made, never silently ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError } from '@apojwt/core';
// Registers the 'express' template the instance below names.
import '@apojwt/express';

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('decorator, endpoint, cookie and JWKS answer options: misspelt names refused by name', async () => {
  const { permissionRequired, tokenRequired, jwksResponse, refreshCookie } = await import('@apojwt/core');
  const { createAuthHandlers } = await import('@apojwt/auth');
  const { authHandlers } = await import('@apojwt/express/auth');
  const apo = new ApoJwt({ secret: 's'.repeat(40), iss: 'i', serverAudience: 'a', template: 'express' }).configRefresh({ refreshSecret: 'r'.repeat(40) });
  // `{ Apo: apo }` used to check with the default instance (another secret, another audience) without a word.
  assert.throws(() => permissionRequired('orders:read', { Apo: apo } as never), configError(/unknown decorator option "Apo"/));
  assert.throws(() => tokenRequired({ instance: apo } as never), configError(/unknown decorator option "instance"/));
  // `isue` used to leave the default: rotated tokens without permissions.
  assert.throws(() => apo.refreshEndpoint({ isue: () => ({}) } as never), configError(/unknown auth endpoint option "isue"/));
  assert.throws(() => authHandlers(apo, { bodylimit: 10 } as never), configError(/unknown auth endpoint option "bodylimit"/));
  assert.throws(() => refreshCookie({ samesite: 'Lax' } as never), configError(/unknown cookie option "samesite"/));
  assert.throws(() => createAuthHandlers({ apo, cookies: {} } as never), configError(/unknown createAuthHandlers option "cookies"/));
  assert.throws(() => jwksResponse({ keys: [] }, { maxage: 60 } as never), configError(/unknown jwksResponse option "maxage"/));
  // The right names still work.
  assert.ok(permissionRequired('orders:read', { apo }));
  assert.ok(apo.refreshEndpoint({ issue: (claims) => ({ sub: claims.sub }), cookie: { path: '/auth', sameSite: 'Lax' } }));
  assert.equal(jwksResponse({ keys: [] }, { maxAge: 60 }).headers['Cache-Control'], 'public, max-age=60');
});
