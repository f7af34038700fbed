// The verified-token cache: a hit skips the signature check (observed here
// through a counting KeyResolver), never outlives exp, still checks
// revocation, is bounded, and can be turned off.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secretToKeyObject, type Algorithm, type KeyResolver } from '@apojwt/core';
import { FrozenClock, SECRET, makeApo, rejects } from '../support/core.js';

class CountingResolver implements KeyResolver {
  calls = 0;
  private readonly key = secretToKeyObject(SECRET, 'secret');
  resolve(_kid: string | undefined, alg: Algorithm) {
    this.calls++;
    assert.equal(alg, 'HS256');
    return this.key;
  }
}

function setup(extra: Record<string, unknown> = {}) {
  const clock = new FrozenClock();
  const keys = new CountingResolver();
  const apo = makeApo(clock, { kid: 'k1', keyResolver: keys, expPeriod: 60, ...extra });
  return { clock, keys, apo };
}

describe('verified-token cache', () => {
  test('a second verify is a hit: no key lookup, same frozen claims', async () => {
    const { keys, apo } = setup();
    const token = apo.createToken({ sub: 'u', permissions: ['a'] });
    const first = await apo.verify(token);
    const second = await apo.verify(token);
    assert.equal(keys.calls, 1);
    assert.equal(first, second);
    assert.throws(() => {
      (second.perms as string[]).push('*');
    }, TypeError);
  });

  test('an entry never outlives exp (advance the frozen clock)', async () => {
    const { clock, keys, apo } = setup();
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    clock.advance(59);
    assert.ok(await apo.verify(token));
    assert.equal(keys.calls, 1, 'still a hit one second before exp');
    clock.advance(1);
    await rejects(apo.verify(token), 'ERR_TOKEN_EXPIRED');
    await rejects(apo.verify(token), 'ERR_TOKEN_EXPIRED');
  });

  test('clock tolerance extends a hit exactly as it extends a miss', async () => {
    const { clock, apo } = setup({ clockTolerance: 5 });
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    clock.advance(64);
    assert.ok(await apo.verify(token));
    clock.advance(1);
    await rejects(apo.verify(token), 'ERR_TOKEN_EXPIRED');
  });

  test('revocation is checked on a hit (jti and subject)', async () => {
    const { keys, apo } = setup();
    const token = apo.createToken({ sub: 'u' });
    const other = apo.createToken({ sub: 'v' });
    await apo.verify(token);
    await apo.verify(other);
    await apo.revoke(token);
    await rejects(apo.verify(token), 'ERR_TOKEN_REVOKED');
    await apo.revokeSubject('v');
    await rejects(apo.verify(other), 'ERR_TOKEN_REVOKED');
    assert.equal(keys.calls, 2, 'both rejections came from the cache-hit path');
  });

  test('cache: false verifies the signature every time', async () => {
    const { keys, apo } = setup({ cache: false });
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    await apo.verify(token);
    await apo.verify(token);
    assert.equal(keys.calls, 3);
  });

  test('the cache is bounded: least recently used out first', async () => {
    const { keys, apo } = setup({ cache: { max: 2 } });
    const [t1, t2, t3] = [1, 2, 3].map((i) => apo.createToken({ sub: `u${i}` })) as [string, string, string];
    await apo.verify(t1);
    await apo.verify(t2);
    await apo.verify(t3); // evicts t1
    assert.equal(keys.calls, 3);
    await apo.verify(t3);
    await apo.verify(t2);
    assert.equal(keys.calls, 3, 't2 and t3 still cached');
    await apo.verify(t1);
    assert.equal(keys.calls, 4, 't1 was evicted');
  });

  test('a hit needs the whole token: a forged token reusing a cached signature goes through every check', async () => {
    const { apo } = setup();
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    await apo.verify(token);
    const [h, p, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, perms: ['*'] })).toString('base64url');
    await rejects(apo.verify(`${h}.${forgedPayload}.${sig}`), 'ERR_SIGNATURE_INVALID');
    assert.deepEqual((await apo.verify(token)).perms, ['orders:read']);
  });

  test('the lookup key keeps six bits of each of the last characters: a token differing in a seventh bit is a miss, then refused', async () => {
    const { keys, apo } = setup();
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    await apo.verify(token);
    // c ^ 64 leaves c & 63 alone: the same key as the cached token, another token all the same.
    let twinsWithBase64urlCharacters = 0;
    for (const at of [1, 3, 5]) {
      const i = token.length - at;
      if (/[A-Za-z0-9_-]/.test(String.fromCharCode(token.charCodeAt(i) ^ 64))) twinsWithBase64urlCharacters++;
      const twin = token.slice(0, i) + String.fromCharCode(token.charCodeAt(i) ^ 64) + token.slice(i + 1);
      // Malformed when the twin is not a base64url character, a wrong signature when it is.
      await assert.rejects(
        apo.verify(twin),
        (error: { code?: string; status?: number }) => ['ERR_TOKEN_MALFORMED', 'ERR_SIGNATURE_INVALID'].includes(String(error.code)) && error.status === 401,
      );
    }
    assert.deepEqual((await apo.verify(token)).perms, ['orders:read']);
    assert.equal(keys.calls, 1 + twinsWithBase64urlCharacters, 'a twin went through the checks; the token itself stayed a hit');
  });

  test('a fresh string equal to a cached token is a hit', async () => {
    const { keys, apo } = setup();
    const token = apo.createToken({ sub: 'u' });
    await apo.verify(token);
    const header = Buffer.from(`Bearer ${token}`).toString();
    await apo.verify(header.slice(7));
    assert.equal(keys.calls, 1);
  });

  test('failed verifications are not cached', async () => {
    const { keys, apo } = setup();
    const token = apo.createToken({ sub: 'u' });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BA' : 'AA'}`;
    await rejects(apo.verify(tampered), 'ERR_SIGNATURE_INVALID');
    await rejects(apo.verify(tampered), 'ERR_SIGNATURE_INVALID');
    assert.equal(keys.calls, 2);
  });

  test('refresh tokens never go through the access cache', async () => {
    const { apo } = setup();
    const pair = apo.configRefresh({ refreshSecret: SECRET }).createToken({ sub: 'u' });
    await rejects(apo.verify(pair.refreshToken), 'ERR_TOKEN_TYPE_INVALID');
    await rejects(apo.verify(pair.refreshToken), 'ERR_TOKEN_TYPE_INVALID');
  });
});
