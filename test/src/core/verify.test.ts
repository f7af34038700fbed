// Every rejection path of verify/verifyRefresh, in the order of verify.ts,
// each asserted by code and status, with messages free of token, secret
// and claim values.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, STATUS_BY_CODE, toHttpErrorResponse, ApoJwtError } from '@apojwt/core';
import { AUD, FrozenClock, ISS, REFRESH_SECRET, SECRET, T0_S, accessHeader, accessPayload, claimValues, makeApo, rejects, signRaw } from '../support/core.js';

describe('createToken', () => {
  test('without refresh: one access token string with the SPEC claims and header', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock);
    const token = apo.createToken({ sub: 'u1', permissions: ['orders:read'], data: { tenant: 't1' } });
    assert.equal(typeof token, 'string');
    const [h, p] = token
      .split('.')
      .slice(0, 2)
      .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString()));
    assert.deepEqual(Object.keys(h).sort(), ['alg', 'kid', 'typ']);
    assert.equal(h.alg, 'HS256');
    assert.equal(h.typ, 'at+jwt');
    assert.equal(p.sub, 'u1');
    assert.equal(p.iss, ISS);
    assert.deepEqual(p.aud, [AUD]);
    assert.equal(p.iat, T0_S);
    assert.equal(p.nbf, T0_S);
    assert.equal(p.exp, T0_S + 900);
    assert.deepEqual(p.perms, ['orders:read']);
    assert.deepEqual(p.data, { tenant: 't1' });
    assert.ok(Buffer.from(p.jti, 'base64url').length >= 16, 'jti carries at least 128 bits');
    const claims = await apo.verify(token);
    assert.equal(claims.sub, 'u1');
    assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.perms) && Object.isFrozen(claims.data));
  });

  test('two tokens never share a jti', () => {
    const apo = makeApo(new FrozenClock());
    const ids = new Set(Array.from({ length: 200 }, () => JSON.parse(Buffer.from(apo.createToken().split('.')[1]!, 'base64url').toString()).jti));
    assert.equal(ids.size, 200);
  });

  test('with refresh: an access + refresh pair; the refresh token carries sub, refresh data, jti, fam', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock).configRefresh({ refreshSecret: REFRESH_SECRET, refreshExpPeriod: 3600 });
    const pair = apo.createToken({ sub: 'u2', data: { a: 1 }, refreshData: { device: 'd1' } });
    assert.deepEqual(Object.keys(pair).sort(), ['accessToken', 'refreshToken']);
    const header = JSON.parse(Buffer.from(pair.refreshToken.split('.')[0]!, 'base64url').toString());
    assert.equal(header.typ, 'rt+jwt');
    const refresh = await apo.verifyRefresh(pair.refreshToken);
    assert.equal(refresh.sub, 'u2');
    assert.deepEqual(refresh.data, { device: 'd1' });
    assert.equal(refresh.exp, T0_S + 3600);
    assert.equal(typeof refresh.jti, 'string');
    assert.equal(typeof refresh.fam, 'string');
    assert.equal((await apo.verify(pair.accessToken)).sub, 'u2');
  });

  test('bad input to createToken is API misuse', () => {
    const apo = makeApo(new FrozenClock());
    assert.throws(() => apo.createToken({ sub: 5 as never }), TypeError);
    assert.throws(() => apo.createToken({ permissions: [''] as never }), /permissions must be an array of non-empty strings/);
    assert.throws(() => apo.createToken({ permissions: 'orders:read' as never }), /permissions must be an array/);
    assert.throws(() => apo.createToken({ data: [1] as never }), /data must be a plain object/);
  });
});

describe('rejections, in verification order', () => {
  const clock = new FrozenClock();
  const apo = makeApo(clock, { cache: false });
  const header = accessHeader(apo);
  const sign = (payload: Record<string, unknown>, h: Record<string, unknown> = header) => signRaw(h, payload);

  test('status table: every code has one status', () => {
    for (const [code, status] of Object.entries(STATUS_BY_CODE)) {
      const error = new ApoJwtError(code as never, 'm');
      assert.equal(error.status, status);
      assert.equal(toHttpErrorResponse(error).status, status);
    }
  });

  test('1. too large (default 8 KiB, and maxTokenBytes)', async () => {
    const big = sign(accessPayload(clock, { data: { pad: 'x'.repeat(8200) } }));
    await rejects(apo.verify(big), 'ERR_TOKEN_TOO_LARGE', [big]);
    const small = makeApo(clock, { maxTokenBytes: 200 });
    const token = small.createToken({ sub: 'u' });
    assert.ok(token.length > 200);
    await rejects(small.verify(token), 'ERR_TOKEN_TOO_LARGE', [token]);
  });

  test('2. malformed', async () => {
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '..', 'a..c']) await rejects(apo.verify(bad), 'ERR_TOKEN_MALFORMED');
    await rejects(apo.verify(undefined as never), 'ERR_TOKEN_MALFORMED');
  });

  test('3. algorithm not allowed', async () => {
    const token = signRaw({ ...header, alg: 'HS512' }, accessPayload(clock), SECRET, 'sha512');
    await rejects(apo.verify(token), 'ERR_ALGORITHM_NOT_ALLOWED', claimValues(token));
  });

  test('4. unknown kid', async () => {
    const token = sign(accessPayload(clock), { ...header, kid: 'some-other-key' });
    await rejects(apo.verify(token), 'ERR_KEY_UNKNOWN', claimValues(token));
  });

  test('4. a key resolver that cannot answer (say a JWKS fetch failing) fails closed with 503', async () => {
    const broken = makeApo(clock, {
      cache: false,
      keyResolver: {
        resolve: async () => {
          throw new Error('getaddrinfo ENOTFOUND jwks.example');
        },
      },
    });
    const token = broken.createToken({ sub: 'u' });
    await assert.rejects(broken.verify(token), (error: unknown) => {
      assert.ok(error instanceof ApoJwtError);
      assert.equal(error.code, 'ERR_STORE_UNAVAILABLE');
      assert.equal(error.status, 503);
      assert.ok(!error.message.includes('ENOTFOUND'));
      return true;
    });
  });

  test('5. bad signature (wrong secret, tampered payload)', async () => {
    const wrong = signRaw(header, accessPayload(clock), 'another-secret-another-secret-32b');
    await rejects(apo.verify(wrong), 'ERR_SIGNATURE_INVALID', claimValues(wrong));
    const good = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(accessPayload(clock, { perms: ['*'] }))).toString('base64url')}.${s}`;
    await rejects(apo.verify(forged), 'ERR_SIGNATURE_INVALID', claimValues(forged));
  });

  test('6. token type, both directions, with EQUAL secrets', async () => {
    const same = makeApo(clock).configRefresh({ refreshSecret: SECRET });
    const { accessToken, refreshToken } = same.createToken({ sub: 'u', refreshData: { d: 'refresh-data-value' } });
    await rejects(same.verify(refreshToken), 'ERR_TOKEN_TYPE_INVALID', claimValues(refreshToken));
    await rejects(same.verifyRefresh(accessToken), 'ERR_TOKEN_TYPE_INVALID', claimValues(accessToken));
    await rejects(same.consumeRefresh(accessToken), 'ERR_TOKEN_TYPE_INVALID');
    // A hand-made token with typ "JWT" (Python's) is neither without pythonCompat.
    const legacy = sign(accessPayload(clock), { alg: 'HS256', typ: 'JWT' });
    await rejects(apo.verify(legacy), 'ERR_TOKEN_TYPE_INVALID');
    const noTyp = sign(accessPayload(clock), { alg: 'HS256' });
    await rejects(apo.verify(noTyp), 'ERR_TOKEN_TYPE_INVALID');
  });

  test('6. with different secrets the other kind has an unknown key', async () => {
    const two = makeApo(clock).configRefresh({ refreshSecret: REFRESH_SECRET });
    const { accessToken, refreshToken } = two.createToken({ sub: 'u' });
    await rejects(two.verify(refreshToken), 'ERR_KEY_UNKNOWN');
    await rejects(two.verifyRefresh(accessToken), 'ERR_KEY_UNKNOWN');
  });

  test('7. expired, at exp exactly and after', async () => {
    const c = new FrozenClock();
    const a = makeApo(c, { cache: false, expPeriod: 60 });
    const token = a.createToken({ sub: 'u' });
    c.advance(59);
    assert.equal((await a.verify(token)).sub, 'u');
    c.advance(1);
    await rejects(a.verify(token), 'ERR_TOKEN_EXPIRED', claimValues(token));
  });

  test('7. clock tolerance edges on exp', async () => {
    const c = new FrozenClock();
    const a = makeApo(c, { cache: false, expPeriod: 60, clockTolerance: 5 });
    const token = a.createToken({ sub: 'u' });
    c.advance(64);
    assert.equal((await a.verify(token)).sub, 'u');
    c.advance(1);
    await rejects(a.verify(token), 'ERR_TOKEN_EXPIRED');
  });

  test('7. nbf and iat in the future, with and without tolerance', async () => {
    const now = clock.seconds;
    await rejects(apo.verify(sign(accessPayload(clock, { nbf: now + 1 }))), 'ERR_TOKEN_NOT_YET_VALID');
    await rejects(apo.verify(sign(accessPayload(clock, { iat: now + 1, nbf: now }))), 'ERR_TOKEN_NOT_YET_VALID');
    const tolerant = makeApo(clock, { cache: false, clockTolerance: 10 });
    assert.ok(await tolerant.verify(sign(accessPayload(clock, { nbf: now + 10, iat: now + 10 }))));
    await rejects(tolerant.verify(sign(accessPayload(clock, { nbf: now + 11 }))), 'ERR_TOKEN_NOT_YET_VALID');
    await rejects(tolerant.verify(sign(accessPayload(clock, { iat: now + 11 }))), 'ERR_TOKEN_NOT_YET_VALID');
    // nbf is optional; iat and exp are not.
    const { nbf: _nbf, ...withoutNbf } = accessPayload(clock);
    assert.ok(await apo.verify(sign(withoutNbf)));
  });

  for (const claim of ['exp', 'iat', 'jti', 'sub'] as const) {
    test(`8. missing ${claim}`, async () => {
      const payload = accessPayload(clock);
      delete payload[claim];
      const token = sign(payload);
      await assert.rejects(apo.verify(token), (error: unknown) => {
        assert.ok(error instanceof ApoJwtError);
        assert.equal(error.code, 'ERR_CLAIM_INVALID');
        assert.equal(error.status, 401);
        assert.equal(error.details.claim, claim);
        for (const v of claimValues(token)) assert.ok(!error.message.includes(v));
        return true;
      });
    });
  }

  test('8. claims of the wrong type', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ exp: String(clock.seconds + 900) }, 'exp'],
      [{ iat: null }, 'iat'],
      [{ nbf: 'soon' }, 'nbf'],
      [{ sub: 42 }, 'sub'],
      [{ jti: '' }, 'jti'],
      [{ jti: 7 }, 'jti'],
      [{ perms: 'orders:read' }, 'perms'],
      [{ perms: ['a', 1] }, 'perms'],
      [{ perms: undefined }, 'perms'],
      [{ data: [] }, 'data'],
      [{ data: 'x' }, 'data'],
      [{ data: null }, 'data'],
      [{ data: undefined }, 'data'],
    ];
    for (const [override, claim] of cases) {
      await assert.rejects(apo.verify(sign(accessPayload(clock, override))), (error: unknown) => {
        assert.ok(error instanceof ApoJwtError);
        assert.equal(error.code, 'ERR_CLAIM_INVALID');
        assert.equal(error.status, 401);
        assert.equal(error.details.claim, claim, JSON.stringify(override));
        return true;
      });
    }
  });

  test('8. wrong issuer and audience; a string aud is never split', async () => {
    const wrongIss = sign(accessPayload(clock, { iss: 'https://evil.example' }));
    await rejects(apo.verify(wrongIss), 'ERR_CLAIM_INVALID', ['https://evil.example']);
    await rejects(apo.verify(sign(accessPayload(clock, { iss: undefined }))), 'ERR_CLAIM_INVALID');
    await rejects(apo.verify(sign(accessPayload(clock, { aud: ['billing-service'] }))), 'ERR_CLAIM_INVALID', ['billing-service']);
    await rejects(apo.verify(sign(accessPayload(clock, { aud: [] }))), 'ERR_CLAIM_INVALID');
    await rejects(apo.verify(sign(accessPayload(clock, { aud: undefined }))), 'ERR_CLAIM_INVALID');
    await rejects(apo.verify(sign(accessPayload(clock, { aud: `${AUD} billing-service` }))), 'ERR_CLAIM_INVALID');
    await rejects(apo.verify(sign(accessPayload(clock, { aud: `billing-service,${AUD}` }))), 'ERR_CLAIM_INVALID');
    // A string aud naming us exactly, and a list naming us among others, pass.
    assert.ok(await apo.verify(sign(accessPayload(clock, { aud: AUD }))));
    assert.ok(await apo.verify(sign(accessPayload(clock, { aud: ['billing-service', AUD] }))));
    const spaced = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: 'a b', now: clock.now, cache: false });
    await rejects(spaced.verify(signRaw(accessHeader(spaced), accessPayload(clock, { aud: ['a', 'b'] }))), 'ERR_CLAIM_INVALID');
    assert.ok(await spaced.verify(signRaw(accessHeader(spaced), accessPayload(clock, { aud: 'a b' }))));
  });

  test('8. act (RFC 8693 §4.1), when present, is a chain of { sub, act? } at most 8 deep', async () => {
    const deep = (n: number): Record<string, unknown> => (n === 1 ? { sub: 's1' } : { sub: `s${n}`, act: deep(n - 1) });
    for (const act of [null, 'svc', ['svc'], {}, { sub: '' }, { sub: 7 }, { sub: 'a', act: 'b' }, { sub: 'a', iss: 'x' }, { sub: 'a', act: { sub: 'b', act: [] } }, deep(9)]) {
      await assert.rejects(apo.verify(sign(accessPayload(clock, { act }))), (error: unknown) => {
        assert.ok(error instanceof ApoJwtError);
        assert.equal(error.code, 'ERR_CLAIM_INVALID');
        assert.equal(error.details.claim, 'act');
        return true;
      });
    }
    assert.deepEqual((await apo.verify(sign(accessPayload(clock, { act: deep(8) })))).act, deep(8));
    assert.deepEqual((await apo.verify(sign(accessPayload(clock, { act: { sub: 'orders', act: { sub: 'gateway' } } })))).act, { sub: 'orders', act: { sub: 'gateway' } });
  });

  test('8. a refresh token without family', async () => {
    const r = makeApo(clock).configRefresh({ refreshSecret: REFRESH_SECRET });
    const h = JSON.parse(Buffer.from(r.createToken({}).refreshToken.split('.')[0]!, 'base64url').toString());
    const payload = { sub: 'u', iss: ISS, aud: [AUD], iat: clock.seconds, nbf: clock.seconds, exp: clock.seconds + 60, data: {}, jti: 'j1' };
    await rejects(r.verifyRefresh(signRaw(h, payload, REFRESH_SECRET)), 'ERR_CLAIM_INVALID');
    assert.ok(await r.verifyRefresh(signRaw(h, { ...payload, fam: 'f1' }, REFRESH_SECRET)));
  });

  test('HTTP answer: 401 with an RFC 6750 challenge and no token in it', async () => {
    const token = apo.createToken({ sub: 'secret-subject', data: { email: 'someone@example.test' } });
    clock.advance(1000);
    try {
      await assert.rejects(apo.verify(token), (error: unknown) => {
        assert.ok(error instanceof ApoJwtError);
        const answer = toHttpErrorResponse(error);
        assert.equal(answer.status, 401);
        assert.match(answer.headers['WWW-Authenticate'] ?? '', /^Bearer error="invalid_token", error_description="the token has expired"$/);
        const text = JSON.stringify(answer);
        for (const v of claimValues(token)) assert.ok(!text.includes(v));
        assert.deepEqual(answer.body, { error: 'ERR_TOKEN_EXPIRED', message: 'the token has expired' });
        return true;
      });
    } finally {
      clock.advance(-1000);
    }
  });
});
