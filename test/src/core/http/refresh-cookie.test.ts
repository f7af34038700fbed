import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApoJwt, ApoJwtError, refreshCookie } from '@apojwt/core';
import { createAuthHandlers } from '@apojwt/auth';

/**
 * The framework-free handlers read the refresh cookie from a raw Cookie
 * header the way the Express and Koa templates do: two different values
 * (a cookie tossed in by a sibling subdomain, placed first) are a malformed
 * request, not "the first one wins", which let the tossed token be used.
 */

function setup() {
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api' }).configRefresh({ refreshSecret: 'r'.repeat(32) });
  const handlers = createAuthHandlers({ apo });
  return { apo, handlers };
}

test('refresh: two different refresh cookies in the header are 400 ERR_REQUEST_MALFORMED, and neither is consumed', async () => {
  const { apo, handlers } = setup();
  const tossed = apo.createToken({ sub: 'attacker' }).refreshToken;
  const own = apo.createToken({ sub: 'victim' }).refreshToken;
  const response = await handlers.refresh({ cookieHeader: `apojwt_refresh=${tossed}; apojwt_refresh=${own}` });
  assert.equal(response.status, 400);
  assert.equal((response.body as { error: string }).error, 'ERR_REQUEST_MALFORMED');
  assert.ok(!JSON.stringify(response).includes(tossed) && !JSON.stringify(response).includes(own), 'no token in the answer');
  // Neither token was used: each still rotates once.
  assert.equal((await apo.consumeRefresh(tossed)).sub, 'attacker');
  assert.equal((await apo.consumeRefresh(own)).sub, 'victim');
});

test('refresh: the same cookie twice, plain and percent-encoded, is one credential', async () => {
  const { apo, handlers } = setup();
  const token = apo.createToken({ sub: 'u' }).refreshToken;
  const response = await handlers.refresh({ cookieHeader: `theme=dark; apojwt_refresh=${token}; apojwt_refresh=${token.replace(/\./g, '%2E')}` });
  assert.equal(response.status, 200, JSON.stringify(response.body));
});

test('refreshCookie().read: same rules as the templates', () => {
  const cookie = refreshCookie({ name: 'sid' });
  assert.equal(cookie.read('a=1; sid=x.y.z'), 'x.y.z');
  assert.equal(cookie.read('sid='), undefined);
  assert.equal(cookie.read(undefined), undefined);
  assert.throws(
    () => cookie.read('sid=a.b.c; sid=d.e.f'),
    (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_REQUEST_MALFORMED' && error.status === 400,
  );
});
