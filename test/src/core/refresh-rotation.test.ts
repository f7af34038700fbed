// Refresh rotation and family scope (refresh-rotation.ts) through the public
// API: a family is every token descended from one login, access tokens
// included, and reuse detection revokes all of it on every service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtConfigError, MemoryRevocationStore } from '@apojwt/core';
import { AUD, FrozenClock, ISS, REFRESH_SECRET, SECRET, rejects } from '../support/core.js';

function services(clock: FrozenClock) {
  const revocationStore = new MemoryRevocationStore();
  const common = { secret: SECRET, iss: ISS, serverAudience: AUD, now: clock.now, revocationStore };
  const issuer = new ApoJwt(common).configRefresh({ refreshSecret: REFRESH_SECRET, reuseGracePeriod: 0 });
  // Another service: verifies access tokens only, sharing the revocation store (as with @apojwt/redis).
  const orders = new ApoJwt(common);
  return { issuer, orders };
}

test('reuse of a rotated refresh token revokes the access tokens of its family on every service', async () => {
  const clock = new FrozenClock();
  const { issuer, orders } = services(clock);
  const login = issuer.createToken({ sub: 'u1', permissions: ['orders:read'] });
  const other = issuer.createToken({ sub: 'u1' }); // a second login of the same user: another family
  clock.advance(10);
  const rotated = await issuer.rotate(login.refreshToken, (claims) => ({ sub: claims.sub }));
  for (const token of [login.accessToken, rotated.accessToken, other.accessToken]) {
    await issuer.verify(token); // cached on both services
    await orders.verify(token);
  }
  clock.advance(10);
  await rejects(issuer.rotate(login.refreshToken), 'ERR_REFRESH_REUSED');
  for (const apo of [issuer, orders]) {
    await rejects(apo.verify(login.accessToken), 'ERR_TOKEN_REVOKED');
    await rejects(apo.verify(rotated.accessToken), 'ERR_TOKEN_REVOKED');
    await rejects(apo.authorize(rotated.accessToken, 'orders:read'), 'ERR_TOKEN_REVOKED');
    assert.equal((await apo.verify(other.accessToken)).sub, 'u1', 'another login of the user is not touched');
  }
  await rejects(issuer.rotate(rotated.refreshToken), 'ERR_TOKEN_REVOKED');
});

test("revoking a refresh token (logout) revokes its family's access tokens; revoking an access token revokes only it", async () => {
  const clock = new FrozenClock();
  const { issuer, orders } = services(clock);
  const first = issuer.createToken({ sub: 'u1' });
  const second = issuer.createToken({ sub: 'u1' });
  await issuer.revoke(second.accessToken);
  await rejects(orders.verify(second.accessToken), 'ERR_TOKEN_REVOKED');
  const next = await issuer.rotate(second.refreshToken); // the session itself lives on
  assert.equal((await orders.verify(next.accessToken)).sub, 'u1');

  await issuer.revoke(first.refreshToken);
  await rejects(orders.verify(first.accessToken), 'ERR_TOKEN_REVOKED');
  assert.equal((await orders.verify(next.accessToken)).sub, 'u1');
});

test('access tokens name their family; without refresh tokens they carry none', async () => {
  const clock = new FrozenClock();
  const { issuer, orders } = services(clock);
  const pair = issuer.createToken({ sub: 'u1' });
  const access = await orders.verify(pair.accessToken);
  const refresh = await issuer.verifyRefresh(pair.refreshToken);
  assert.equal(access.fam, refresh.fam);
  assert.equal((await orders.verify(orders.createToken({ sub: 'u1' }))).fam, undefined);
});

test('rotate refuses an issue() that changes the subject: the family keeps its subject', async () => {
  const clock = new FrozenClock();
  const { issuer } = services(clock);
  const pair = issuer.createToken({ sub: 'u1' });
  await assert.rejects(
    issuer.rotate(pair.refreshToken, () => ({ sub: 'admin' })),
    (error: unknown) => {
      assert.ok(error instanceof ApoJwtConfigError);
      assert.match(error.message, /subject/);
      assert.ok(!error.message.includes('admin') && !error.message.includes('u1'), 'no claim value in the message');
      return true;
    },
  );
  const again = issuer.createToken({ sub: 'u2' });
  const rotated = await issuer.rotate(again.refreshToken, (claims) => ({ sub: claims.sub, permissions: ['x'] }));
  assert.equal((await issuer.verify(rotated.accessToken)).sub, 'u2');
  const kept = await issuer.rotate(rotated.refreshToken, () => ({ permissions: ['x'] }));
  assert.equal((await issuer.verify(kept.accessToken)).sub, 'u2', "no sub: the family's subject");
});
