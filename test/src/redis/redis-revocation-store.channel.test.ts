import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { eventually, startOwnRedis, type OwnRedis } from '../support/redis-server.js';

/**
 * The revocation channel is plain Redis pub/sub: any client with access can
 * publish on it. A message that is JSON but not an object (`null`, a number)
 * used to throw inside the subscriber's event handler, an uncaught exception
 * that ends every verifier process. Such messages are ignored; real
 * revocations keep arriving.
 */

let own: OwnRedis | undefined;
let redisUrl: string;
let stores: RedisStores;
let publisher: Redis;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

before(async () => {
  if (process.env['REDIS_URL']) redisUrl = process.env['REDIS_URL'];
  else {
    own = await startOwnRedis();
    redisUrl = own.url;
  }
  process.on('uncaughtException', onUncaught);
});

after(async () => {
  process.off('uncaughtException', onUncaught);
  await stores?.close();
  publisher?.disconnect();
  await own?.dispose();
});

test('garbage on the revocation channel is ignored; revocations still arrive', async () => {
  const prefix = `review-${randomUUID()}:`;
  stores = createRedisStores({ redis: redisUrl, prefix });
  await stores.ready();
  publisher = new Redis(redisUrl);
  const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', revocationStore: stores.revocationStore, rotationStore: stores.rotationStore });
  const token = apo.createToken({ sub: 'u' });
  for (const message of ['null', '5', '"text"', '[]', 'true', '{"k":"jti"}', 'not json']) {
    await publisher.publish(`{${prefix}}rev:events`, message);
  }
  // A second service revokes; this one must still hear it, and must still be alive to.
  const other = createRedisStores({ redis: redisUrl, prefix });
  await other.ready();
  try {
    await new ApoJwt({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', revocationStore: other.revocationStore, rotationStore: other.rotationStore }).revoke(token);
  } finally {
    await other.close();
  }
  const revoked = (error: unknown) => error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REVOKED' && error.status === 401;
  await eventually(() => apo.verify(token).then(() => false, revoked), 'the revocation to reach this service');
  await assert.rejects(apo.verify(token), revoked);
  assert.deepEqual(uncaught, []);
});
