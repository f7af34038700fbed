import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, RemoteJwks } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { koaTemplate } from '@apojwt/koa';
import { passwordLogin } from '@apojwt/auth';

/** Options found wrong when the object is made, with a message naming the option: never at the first request. */

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test("template options: a framework's errors mode, misspelt options and non-token cookie names are refused", () => {
  // Each framework has its own mode name; the other's used to be silently taken as 'respond'.
  assert.throws(() => expressTemplate({ errors: 'throw' as never }), configError(/errors must be 'respond' or 'next'/));
  assert.throws(() => koaTemplate({ errors: 'next' as never }), configError(/errors must be 'respond' or 'throw'/));
  // A misspelt option used to be ignored: the cookie was then never read.
  assert.throws(() => expressTemplate({ cookies: 'access_token' } as never), configError(/unknown template option "cookies"/));
  assert.throws(() => koaTemplate({ refreshcookie: 'sid' } as never), configError(/unknown template option "refreshcookie"/));
  // Cookie names outside RFC 6265's token set: never matched by a browser's cookie, and a quote in one broke the challenge's quoted error_description.
  for (const cookie of ['tök', 'a b', 'a;b', '', 'a"b']) {
    assert.throws(() => expressTemplate({ cookie }), configError(/cookie must be a cookie name/), cookie);
    assert.throws(() => koaTemplate({ refreshCookie: cookie }), configError(/refreshCookie must be a cookie name/), cookie);
  }
  assert.throws(() => koaTemplate({ name: '' }), configError(/name must be a non-empty string/));
  assert.throws(() => expressTemplate(null as never), configError(/template options must be an object/));
  // Valid options still pass.
  assert.equal(expressTemplate({ name: 'x', cookie: 'access_token', refreshCookie: '__Host-sid', errors: 'next' }).name, 'x');
  assert.equal(koaTemplate({ errors: 'throw', cookie: undefined }).frameworkErrors, true);
});

test('jwksOptions.headers: a value jose cannot send is refused at construction, not by a 503 on every request', () => {
  const url = 'https://issuer.example/.well-known/jwks.json';
  assert.throws(() => new RemoteJwks(url, { headers: { 'x-api-key': 42 as never } }), configError(/jwksOptions.headers.x-api-key must be a string/));
  assert.throws(() => new RemoteJwks(url, { headers: { 'bad name': 'v' } }), configError(/invalid header name or value/));
  assert.throws(() => new RemoteJwks(url, { headers: { 'x-api-key': 'a\r\nInjected: 1' } }), configError(/invalid header name or value/));
  assert.throws(
    () => new ApoJwt({ algorithm: 'RS256', iss: 'i', serverAudience: 'a', jwksUri: url, jwksOptions: { headers: { 'x-k': 'é\u2603' } } }),
    configError(/invalid header name or value/),
  );
  assert.ok(new RemoteJwks(url, { headers: { 'x-api-key': 'k-1' } }));
});

test('a misspelt option is refused by name, not silently left at its default', () => {
  const base = { secret: 's'.repeat(40), iss: 'i', serverAudience: 'a' };
  // The typo would have kept the unshared in-memory revocation store: revocations invisible to other instances.
  assert.throws(() => new ApoJwt({ ...base, revocationstore: {} } as never), configError(/^unknown ApoJwt option "revocationstore"$/));
  assert.throws(() => new ApoJwt({ ...base, failopen: false } as never), configError(/unknown ApoJwt option "failopen"/));
  assert.throws(() => new ApoJwt({ ...base, refresh: { refreshSecret: 'r'.repeat(40), reuseGrace: 0 } } as never), configError(/unknown refresh option "reuseGrace"/));
  assert.throws(() => new ApoJwt(base).configRefresh({ refreshSecret: 'r'.repeat(40), expPeriod: 60 } as never), configError(/unknown refresh option "expPeriod"/));
  assert.throws(() => new ApoJwt({ ...base, cache: { size: 10 } } as never), configError(/unknown cache option "size"/));
  assert.throws(() => new RemoteJwks('https://issuer.example/jwks', { timeoutMs: 100 } as never), configError(/unknown jwksOptions option "timeoutMs"/));
  // The message names the option, never its value.
  assert.throws(
    () => new ApoJwt({ ...base, secretKey: 'top-secret-value' } as never),
    (error: unknown) => error instanceof ApoJwtConfigError && !error.message.includes('top-secret-value'),
  );
  assert.ok(new ApoJwt({ ...base, cache: { max: 10 }, refresh: { refreshSecret: 'r'.repeat(40), reuseGracePeriod: 0 } }));
});

test('login and LoginLimiter options: misspelt names refused by name', async () => {
  const { LoginLimiter } = await import('@apojwt/auth');
  const base = { secret: 's'.repeat(40), iss: 'i', serverAudience: 'a' };
  const getUser = () => undefined;
  // `limit` for `limiter` would have left the default limits on; `perIP` for `perIp` too.
  assert.throws(() => new ApoJwt({ ...base, login: passwordLogin({ getUser, limit: false } as never) }), configError(/unknown login option "limit"/));
  assert.throws(() => new LoginLimiter({ perIP: false } as never), configError(/unknown LoginLimiter option "perIP"/));
  assert.throws(
    () => new LoginLimiter({ perAccount: { attempts: 5, windowSeconds: 60, lockoutSeconds: 60, maxLockout: 600 } } as never),
    configError(/unknown perAccount option "maxLockout"/),
  );
  assert.ok(new LoginLimiter({ perIp: false, perAccount: { attempts: 5, windowSeconds: 60, lockoutSeconds: 60, maxLockoutSeconds: 600 } }));
});

test('Redis store options: a misspelt prefix is refused, not silently replaced by the default (no shared revocations)', async () => {
  const { createRedisStores, RedisRevocationStore, RedisRotationStore } = await import('@apojwt/redis');
  // Refused before any connection is made: no Redis needed.
  assert.throws(() => createRedisStores({ redis: 'redis://127.0.0.1:1', prefx: 'orders:' } as never), configError(/createRedisStores: unknown option "prefx"/));
  assert.throws(() => new RedisRevocationStore({ redis: 'redis://127.0.0.1:1', heartBeat: 100 } as never), configError(/RedisRevocationStore: unknown option "heartBeat"/));
  assert.throws(() => new RedisRotationStore({ redis: 'redis://127.0.0.1:1', keyPrefix: 'x' } as never), configError(/RedisRotationStore: unknown option "keyPrefix"/));
  assert.throws(() => createRedisStores(null as never), configError(/needs an options object/));
});

test('memory stores: maxEntries is a whole number (a string used to turn the bound off)', async () => {
  const { MemoryRevocationStore, MemoryRotationStore } = await import('@apojwt/core');
  for (const maxEntries of ['1000', 0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new MemoryRevocationStore({ maxEntries } as never), configError(/MemoryRevocationStore maxEntries must be a whole number/), String(maxEntries));
    assert.throws(() => new MemoryRotationStore({ maxEntries } as never), configError(/MemoryRotationStore maxEntries must be a whole number/), String(maxEntries));
  }
  assert.throws(() => new MemoryRevocationStore({ maxEntry: 10 } as never), configError(/unknown MemoryRevocationStore option "maxEntry"/));
  // The bound holds: with room for one, a second live revocation is refused (503), never an eviction.
  const store = new MemoryRevocationStore({ maxEntries: 1 });
  store.revokeToken('a', 100, 0);
  assert.throws(
    () => store.revokeToken('b', 100, 0),
    (error: unknown) => error instanceof Error && (error as { code?: string }).code === 'ERR_STORE_UNAVAILABLE',
  );
});

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
