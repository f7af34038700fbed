// Revocation by jti, by token, by subject and by refresh family; refresh
// rotation with reuse detection; stores that fail closed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwtError, MemoryRevocationStore, type RevocationStore } from '@apojwt/core';
import { FrozenClock, REFRESH_SECRET, SECRET, claimValues, isConfigError, makeApo, rejects } from '../support/core.js';

function jtiOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
}

for (const cache of [true, false]) {
  describe(`revocation (cache ${cache ? 'on' : 'off'})`, () => {
    const options = cache ? {} : { cache: false as const };

    test('by jti', async () => {
      const apo = makeApo(new FrozenClock(), options);
      const token = apo.createToken({ sub: 'u1' });
      const other = apo.createToken({ sub: 'u1' });
      assert.ok(await apo.verify(token));
      await apo.revoke(jtiOf(token));
      await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED', claimValues(token));
      assert.ok(await apo.verify(other), 'only that token');
    });

    test('by token', async () => {
      const apo = makeApo(new FrozenClock(), options);
      const token = apo.createToken({ sub: 'u1' });
      assert.ok(await apo.verify(token));
      await apo.revoke(token);
      await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED', claimValues(token));
      await apo.revoke(token); // revoking twice does nothing
      await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED');
    });

    test('by subject: every token issued up to now, this second included; later ones pass', async () => {
      const clock = new FrozenClock();
      const apo = makeApo(clock, options);
      const earlier = apo.createToken({ sub: 'u1' });
      clock.advance(10);
      const sameSecond = apo.createToken({ sub: 'u1' });
      const otherSubject = apo.createToken({ sub: 'u2' });
      assert.ok(await apo.verify(earlier));
      await apo.revokeSubject('u1');
      await rejects(apo.verify(earlier), 'ERR_TOKEN_REVOKED');
      await rejects(apo.verify(sameSecond), 'ERR_TOKEN_REVOKED');
      assert.ok(await apo.verify(otherSubject));
      clock.advance(1);
      assert.ok(await apo.verify(apo.createToken({ sub: 'u1' })), 'a new login after the revocation works');
    });
  });
}

describe('revoke edge cases', () => {
  test('revokeSubject with clock tolerance also covers tokens stamped by an issuer whose clock runs ahead', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { clockTolerance: 5 });
    const { signRaw, accessPayload, accessHeader } = await import('../support/core.js');
    const ahead = signRaw(accessHeader(apo), accessPayload(clock, { iat: clock.seconds + 4, nbf: clock.seconds + 4, exp: clock.seconds + 900 }));
    assert.ok(await apo.verify(ahead), 'accepted within the tolerance');
    await apo.revokeSubject('user-7731');
    await rejects(apo.verify(ahead), 'ERR_TOKEN_REVOKED');
    clock.advance(6);
    assert.ok(await apo.verify(apo.createToken({ sub: 'user-7731' })), 'a login after the tolerance window works');
  });

  test('an expired token: nothing to do; a malformed one: its code', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock);
    const token = apo.createToken({ sub: 'u' });
    clock.advance(10_000);
    await apo.revoke(token);
    await rejects(apo.revoke('not.a.token!'), 'ERR_TOKEN_MALFORMED');
    await rejects(apo.revoke(`${token}x`), 'ERR_SIGNATURE_INVALID');
    await assert.rejects(apo.revoke(''), isConfigError(/^revoke needs a token or a jti$/));
    await assert.rejects(apo.revokeSubject(5 as never), isConfigError(/^revokeSubject needs a subject string$/));
  });

  test('a full in-memory store refuses the write with 503 rather than dropping a live revocation', async () => {
    const apo = makeApo(new FrozenClock(), { revocationStore: new MemoryRevocationStore({ maxEntries: 2 }) });
    await apo.revoke('jti-1');
    await apo.revoke('jti-2');
    await rejects(apo.revoke('jti-3'), 'ERR_STORE_UNAVAILABLE');
  });

  test('revocation entries expire with the tokens, freeing the store', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { expPeriod: 60, revocationStore: new MemoryRevocationStore({ maxEntries: 1 }) });
    await apo.revoke(apo.createToken({ sub: 'u' }));
    clock.advance(61);
    await apo.revoke(apo.createToken({ sub: 'u' }));
  });

  test('an async store that is down fails closed with 503; failOpen lets tokens through', async () => {
    const down: RevocationStore = {
      isRevoked: async () => {
        throw new Error('connection refused');
      },
      revokeToken: async () => {
        throw new Error('connection refused');
      },
      revokeSubject: async () => {
        throw new Error('connection refused');
      },
      revokeFamily: async () => {
        throw new Error('connection refused');
      },
    };
    const clock = new FrozenClock();
    const closed = makeApo(clock, { revocationStore: down });
    const token = closed.createToken({ sub: 'u' });
    await assert.rejects(closed.verify(token), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
      assert.equal(error.status, 503);
      assert.ok(error.cause instanceof Error);
      return true;
    });
    await rejects(closed.verify(token), 'ERR_STORE_UNAVAILABLE'); // also on a cache hit path
    await rejects(closed.revoke('some-jti'), 'ERR_STORE_UNAVAILABLE');
    await rejects(closed.revokeSubject('u'), 'ERR_STORE_UNAVAILABLE');
    const open = makeApo(clock, { revocationStore: down, failOpen: true });
    assert.equal((await open.verify(token)).sub, 'u');
  });

  test('an async store answering true revokes', async () => {
    const revokedAll: RevocationStore = {
      isRevoked: async () => true,
      revokeToken: async () => {},
      revokeSubject: async () => {},
      revokeFamily: async () => {},
    };
    const apo = makeApo(new FrozenClock(), { revocationStore: revokedAll });
    await rejects(apo.verify(apo.createToken({ sub: 'u' })), 'ERR_TOKEN_REVOKED');
  });

  test('a Python token (no jti) cannot be revoked by token: refused loudly, not silently ignored', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { pythonCompat: true });
    const { signRaw, accessPayload } = await import('../support/core.js');
    const payload = accessPayload(clock);
    delete payload['jti'];
    const legacy = signRaw({ alg: 'HS256', typ: 'JWT' }, payload);
    assert.ok(await apo.verify(legacy));
    await assert.rejects(apo.revoke(legacy), isConfigError(/has no jti/));
    await apo.revokeSubject('user-7731');
    await rejects(apo.verify(legacy), 'ERR_TOKEN_REVOKED');
  });
});

describe('refresh tokens', () => {
  const setup = (grace?: number) => {
    const clock = new FrozenClock();
    const apo = makeApo(clock).configRefresh({ refreshSecret: REFRESH_SECRET, ...(grace === undefined ? {} : { reuseGracePeriod: grace }) });
    return { clock, apo };
  };

  test('rotate issues a new pair in the same family; the old token is single-use', async () => {
    const { apo } = setup();
    const first = apo.createToken({ sub: 'u', refreshData: { device: 'phone' } });
    const second = await apo.rotate(first.refreshToken);
    const a = await apo.verifyRefresh(first.refreshToken);
    const b = await apo.verifyRefresh(second.refreshToken);
    assert.equal(a.fam, b.fam);
    assert.notEqual(a.jti, b.jti);
    assert.deepEqual(b.data, { device: 'phone' });
    assert.equal((await apo.verify(second.accessToken)).sub, 'u');
  });

  test('reuse within the grace period: refused, family kept', async () => {
    const { apo, clock } = setup(2);
    const first = apo.createToken({ sub: 'u' });
    const second = await apo.rotate(first.refreshToken);
    clock.advance(2);
    await rejects(apo.rotate(first.refreshToken), 'ERR_REFRESH_REUSED');
    assert.ok(await apo.rotate(second.refreshToken), 'the legitimate successor still works');
  });

  test('reuse after the grace period: the whole family is revoked', async () => {
    const { apo, clock } = setup(2);
    const first = apo.createToken({ sub: 'u' });
    const second = await apo.rotate(first.refreshToken);
    const third = await apo.rotate(second.refreshToken);
    clock.advance(3);
    await rejects(apo.rotate(first.refreshToken), 'ERR_REFRESH_REUSED');
    await rejects(apo.verifyRefresh(third.refreshToken), 'ERR_TOKEN_REVOKED');
    await rejects(apo.rotate(third.refreshToken), 'ERR_TOKEN_REVOKED');
    // Another login's family is untouched.
    assert.ok(await apo.rotate(apo.createToken({ sub: 'u' }).refreshToken));
  });

  test('reuseGracePeriod 0: any reuse, even in the same second, revokes the family', async () => {
    const { apo } = setup(0);
    const first = apo.createToken({ sub: 'u' });
    const second = await apo.rotate(first.refreshToken);
    await rejects(apo.rotate(first.refreshToken), 'ERR_REFRESH_REUSED');
    await rejects(apo.verifyRefresh(second.refreshToken), 'ERR_TOKEN_REVOKED');
  });

  test('with clock tolerance, a replay just after exp (still inside the tolerance) is still detected', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { clockTolerance: 5 }).configRefresh({ refreshSecret: REFRESH_SECRET, refreshExpPeriod: 100 });
    const first = apo.createToken({ sub: 'u' });
    await apo.rotate(first.refreshToken);
    clock.advance(102); // past exp (100), inside the tolerance (105): the token still verifies
    assert.ok(await apo.verifyRefresh(first.refreshToken));
    await rejects(apo.rotate(first.refreshToken), 'ERR_REFRESH_REUSED');
  });

  test('two concurrent rotations of one token: exactly one wins', async () => {
    const { apo } = setup();
    const { refreshToken } = apo.createToken({ sub: 'u' });
    const results = await Promise.allSettled([apo.rotate(refreshToken), apo.rotate(refreshToken)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal(failed.reason.code, 'ERR_REFRESH_REUSED');
  });

  test('revoking a refresh token revokes its family', async () => {
    const { apo } = setup();
    const first = apo.createToken({ sub: 'u' });
    const second = await apo.rotate(first.refreshToken);
    await apo.revoke(second.refreshToken);
    await rejects(apo.verifyRefresh(second.refreshToken), 'ERR_TOKEN_REVOKED');
    await rejects(apo.verifyRefresh(first.refreshToken), 'ERR_TOKEN_REVOKED');
  });

  test('revokeSubject revokes refresh tokens too; expiry applies', async () => {
    const { apo, clock } = setup();
    const pair = apo.createToken({ sub: 'u' });
    await apo.revokeSubject('u');
    await rejects(apo.verifyRefresh(pair.refreshToken), 'ERR_TOKEN_REVOKED');
    clock.advance(1);
    const fresh = apo.createToken({ sub: 'u' });
    clock.advance(86_400);
    await rejects(apo.verifyRefresh(fresh.refreshToken), 'ERR_TOKEN_EXPIRED');
  });

  test('createToken inside withinRefreshFamily continues the family', async () => {
    const { apo } = setup();
    const first = apo.createToken({ sub: 'u' });
    const claims = await apo.consumeRefresh(first.refreshToken);
    const next = apo.withinRefreshFamily(claims, () => apo.createToken({ sub: 'u' }));
    assert.equal((await apo.verifyRefresh(next.refreshToken)).fam, claims.fam);
  });

  test('equal access and refresh secrets never cross over through rotate', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock).configRefresh({ refreshSecret: SECRET });
    const { accessToken } = apo.createToken({ sub: 'u' });
    await rejects(apo.rotate(accessToken), 'ERR_TOKEN_TYPE_INVALID');
  });
});

describe('revokeFamily', () => {
  test("revokes every token of one login by the family id, and no other login's", async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock).configRefresh({ refreshSecret: REFRESH_SECRET });
    const laptop = apo.createToken({ sub: 'u' });
    const phone = apo.createToken({ sub: 'u' });
    const rotated = await apo.rotate(laptop.refreshToken);
    const { fam } = await apo.verifyRefresh(rotated.refreshToken);
    await apo.revokeFamily(fam);
    await rejects(apo.verifyRefresh(rotated.refreshToken), 'ERR_TOKEN_REVOKED');
    await rejects(apo.rotate(rotated.refreshToken), 'ERR_TOKEN_REVOKED');
    assert.equal((await apo.verifyRefresh(phone.refreshToken)).sub, 'u', 'the other login lives on');
    await assert.rejects(apo.revokeFamily(''), isConfigError(/revokeFamily needs a family id/));
    await assert.rejects(apo.revokeFamily(42 as never), isConfigError(/revokeFamily needs a family id/));
  });
});
