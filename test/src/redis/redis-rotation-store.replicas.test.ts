import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApoJwt, ApoJwtError, type TokenPair } from '@apojwt/core';
import { apoError, keyPairFor } from '../support/helpers.js';
import { eventually, redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();

/** Two replicas of an auth service (same keys), sharing Redis, on one controllable clock. */
async function authReplicas(prefix: string, clock: () => number): Promise<ApoJwt<string, object, object, true>[]> {
  const replicas: ApoJwt<string, object, object, true>[] = [];
  for (let i = 0; i < 2; i++) {
    const stores = redis.stores({ prefix, now: clock });
    await stores.ready();
    replicas.push(
      new ApoJwt({
        iss: 'auth',
        serverAudience: 'orders',
        algorithm: 'ES256',
        privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' },
        now: clock,
        revocationStore: stores.revocationStore,
        rotationStore: stores.rotationStore,
        refresh: { refreshSecret: 'r'.repeat(32), reuseGracePeriod: 2 },
      }) as unknown as ApoJwt<string, object, object, true>,
    );
  }
  return replicas;
}

test('50 parallel rotations of one refresh token on two replicas: exactly one wins, the family lives on through it only', async () => {
  let nowMs = Date.now();
  const clock = () => nowMs;
  const [a, b] = await authReplicas(`t-${randomUUID()}:`, clock);
  const login = a!.createToken({ sub: 'alice', permissions: ['orders:read'] });

  const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a! : b!).rotate(login.refreshToken)));
  const winners = results.filter((r): r is PromiseFulfilledResult<TokenPair> => r.status === 'fulfilled');
  assert.equal(winners.length, 1);
  for (const loser of results.filter((r) => r.status === 'rejected')) {
    assert.ok(apoError('ERR_REFRESH_REUSED', 401)((loser as PromiseRejectedResult).reason));
  }
  const winner = winners[0]!.value;
  assert.equal((await b!.verify(winner.accessToken)).sub, 'alice');

  // The winner's refresh token continues the family, on either replica.
  nowMs += 1_000;
  const next = await b!.rotate(winner.refreshToken);
  assert.equal((await a!.verify(next.accessToken)).sub, 'alice');

  // The original token again, after the grace period: theft detected, the whole family revoked everywhere.
  nowMs += 5_000;
  await assert.rejects(a!.rotate(login.refreshToken), apoError('ERR_REFRESH_REUSED', 401));
  await assert.rejects(a!.rotate(next.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
  await eventually(async () => {
    try {
      await b!.rotate(next.refreshToken);
      return false;
    } catch (error) {
      return error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REVOKED';
    }
  }, 'the other replica sees the family revoked');
});

test('logout revokes the family on every replica', async () => {
  let nowMs = Date.now();
  const clock = () => nowMs;
  const [a, b] = await authReplicas(`t-${randomUUID()}:`, clock);
  const login = a!.createToken({ sub: 'bob' });
  const rotated = await b!.rotate(login.refreshToken);
  await b!.revoke(rotated.refreshToken); // logout
  await assert.rejects(b!.rotate(rotated.refreshToken), apoError('ERR_TOKEN_REVOKED', 401));
  nowMs += 1_000;
  await eventually(async () => {
    try {
      await a!.verifyRefresh(rotated.refreshToken);
      return false;
    } catch (error) {
      return error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REVOKED';
    }
  }, 'replica a sees the logout');
});
