// replication.ts: `replicas` makes a revocation or rotation wait (WAIT) for
// replicas; without enough of them in time it is not acknowledged (503).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApoJwtConfigError } from '@apojwt/core';
import { RedisRevocationStore, RedisRotationStore } from '@apojwt/redis';
import { apoError } from '../support/helpers.js';
import { redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();
const configError = (pattern: RegExp) => (error: unknown) => error instanceof ApoJwtConfigError && pattern.test(error.message);

test('replicas and replicaTimeout are validated when the store is made', () => {
  for (const replicas of [-1, 1.5, 101, '1']) {
    assert.throws(() => new RedisRevocationStore({ redis: 'redis://127.0.0.1:1', replicas } as never), configError(/replicas must be a whole number from 0 to 100/));
  }
  for (const replicaTimeout of [0, 60_001, 'x']) {
    assert.throws(() => new RedisRotationStore({ redis: 'redis://127.0.0.1:1', replicaTimeout } as never), configError(/replicaTimeout must be a whole number/));
  }
});

test('a server without replicas: with replicas: 1 a revocation or a rotation is refused (503), with 0 it is acknowledged', async () => {
  const prefix = `t-${randomUUID()}:`;
  const now = Math.floor(Date.now() / 1000);
  const waiting = redis.stores({ prefix, replicas: 1, replicaTimeout: 50 });
  await waiting.ready();
  await assert.rejects(waiting.revocationStore.revokeToken('jti-1', now + 60, now), apoError('ERR_STORE_UNAVAILABLE', 503));
  await assert.rejects(waiting.rotationStore.consume('jti-2', now + 60, now, { iat: now }), apoError('ERR_STORE_UNAVAILABLE', 503));
  const plain = redis.stores({ prefix: `t-${randomUUID()}:` });
  await plain.ready();
  // Issued after this store set its epoch (a second later than `now` on a loaded machine): a token before it would be refused as stale.
  const issued = Math.floor(Date.now() / 1000);
  await plain.revocationStore.revokeToken('jti-1', issued + 60, issued);
  assert.equal(await plain.rotationStore.consume('jti-2', issued + 60, issued, { iat: issued }), undefined);
});
