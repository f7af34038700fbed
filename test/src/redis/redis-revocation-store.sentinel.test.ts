// RedisRevocationStore through Sentinel: a forced failover (SENTINEL FAILOVER)
// under a bounded load of revocations and verifications loses no revocation
// that was acknowledged (`replicas: 1`: acknowledged once the replica holds
// it), rotations keep their used marks, and verifications during the switch
// answer right or 503, never a revoked token as valid.
import { after, afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ApiKeys, ApoJwt, ApoJwtError } from '@apojwt/core';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { apoError, failOnUnhandledRejections, keyPairFor } from '../support/helpers.js';
import { eventually } from '../support/redis-server.js';
import { startSentinels, type OwnSentinels } from '../support/redis-topology.js';

const unhandled = failOnUnhandledRejections();
let topology: OwnSentinels | undefined;
const clients: Redis[] = [];
const opened: RedisStores[] = [];

/** Each test gets its own master, replica and sentinels; every store, client and process is gone after it, passed or failed. */
beforeEach(async () => {
  topology = undefined;
});
afterEach(async () => {
  for (const stores of opened.splice(0)) await stores.close();
  for (const client of clients.splice(0)) client.disconnect();
  await topology?.dispose();
});
after(() => unhandled.check());

/** A client that asks the sentinels for the master, and follows a switch as soon as they announce it. */
function sentinelClient(): Redis {
  const client = new Redis({ sentinels: [...topology!.sentinels], name: topology!.name, maxRetriesPerRequest: 1, commandTimeout: 2_000, failoverDetector: true });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256', privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' } } as const;

/**
 * A replica's acknowledgement travels through WAIT's GETACK round trip; on a
 * busy two-core machine running the whole suite that took over 200 ms, so a
 * healthy replica looked lagging. A second is far beyond a healthy round trip
 * and still short next to a frozen link, which never answers.
 */
const REPLICA_TIMEOUT_MS = 1_000;

async function service(prefix: string, replicas = 1): Promise<ApoJwt & { stores: RedisStores }> {
  const stores = createRedisStores({ redis: sentinelClient(), prefix, replicas, replicaTimeout: REPLICA_TIMEOUT_MS, retryDelay: 50 });
  opened.push(stores);
  await stores.ready();
  return Object.assign(new ApoJwt({ ...base, revocationStore: stores.revocationStore }), { stores });
}

/** The same stores behind an instance that also rotates refresh tokens: `consumeRefresh` is the product's path to the rotation store. */
function rotating(apo: ApoJwt & { stores: RedisStores }) {
  return new ApoJwt({ ...base, revocationStore: apo.stores.revocationStore, rotationStore: apo.stores.rotationStore }).configRefresh({ refreshSecret: 'r'.repeat(32) });
}

function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
}

type Outcome = 'valid' | 'revoked' | 'unavailable';

async function outcome(apo: ApoJwt, token: string): Promise<Outcome> {
  try {
    await apo.verify(token);
    return 'valid';
  } catch (error) {
    if (error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REVOKED' && error.status === 401) return 'revoked';
    if (error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE' && error.status === 503) return 'unavailable';
    throw error;
  }
}

test('sentinel: a forced failover under load loses no acknowledged revocation; meanwhile answers are right or 503', async (t) => {
  topology = await startSentinels();
  const prefix = `t-${randomUUID()}:`;
  const revoker = await service(prefix);
  const verifier = await service(prefix);
  const rotator = rotating(revoker);
  const acknowledged: { token: string; jti: string }[] = [];
  /** Refresh-token ids whose rotation was acknowledged: their used mark must survive too. */
  const rotated: string[] = [];
  let refused = 0;
  let ackedAfterFailover = 0;
  let failedOver = false;
  let failover: Promise<void> | undefined;

  // Bounded: at most 150 revocations; the failover starts after the 10th acknowledged one, the load ends 10 after it.
  for (let i = 0; i < 150 && !(failedOver && ackedAfterFailover >= 10); i++) {
    if (failover === undefined && acknowledged.length === 10) {
      failover = topology!.failover().then(() => void (failedOver = true));
      failover.catch(() => undefined);
    }
    const token = revoker.createToken({ sub: `user-${i}` });
    // A rotation while the master changes: used once and acknowledged, or refused with 503 (a Redis error, a timeout or an unacknowledged write alike).
    const { refreshToken } = rotator.createToken({ sub: `user-${i}` });
    try {
      await rotator.consumeRefresh(refreshToken);
      rotated.push(jtiOf(refreshToken));
    } catch (error) {
      assert.ok(error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE' && error.status === 503, `a refused rotation is 503, got ${String(error)}`);
    }
    try {
      await revoker.revoke(token);
      acknowledged.push({ token, jti: jtiOf(token) });
      if (failedOver) ackedAfterFailover += 1;
    } catch (error) {
      assert.ok(error instanceof ApoJwtError && error.code === 'ERR_STORE_UNAVAILABLE' && error.status === 503, `a refused revocation is 503, got ${String(error)}`);
      refused += 1;
    }
    // Its own acknowledged revocation is never valid on the revoker; the other service answers right or 503 (outcome throws otherwise).
    if (acknowledged.at(-1)?.token === token) assert.notEqual(await outcome(revoker, token), 'valid');
    await outcome(verifier, token);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await failover;
  assert.equal(failedOver, true);
  t.diagnostic(`sentinel failover: ${acknowledged.length} revocations and ${rotated.length} rotations acknowledged, ${refused} revocations refused (503) while the master changed`);
  assert.ok(ackedAfterFailover >= 10, 'revocations were acknowledged after the failover');
  assert.ok(acknowledged.length > ackedAfterFailover, 'revocations were acknowledged before the failover');

  // The replica is master now; every acknowledged revocation is in it, and every service (a new one included) refuses the token.
  const newMaster = new Redis({ port: topology!.replicaPort, host: '127.0.0.1' });
  clients.push(newMaster);
  assert.equal(((await newMaster.call('ROLE')) as string[])[0], 'master');
  const late = await service(prefix);
  for (const { token, jti } of acknowledged) {
    assert.notEqual(await newMaster.zscore(`{${prefix}}rev:jti`, jti), null, 'the acknowledged revocation is on the new master');
    assert.equal(await outcome(late, token), 'revoked');
  }
  assert.ok(rotated.length > 0);
  for (const jti of rotated) {
    const now = Math.floor(Date.now() / 1000);
    assert.equal(typeof (await late.stores.rotationStore.consume(jti, now + 60, now, { iat: now })), 'number', 'an acknowledged rotation stays used');
  }
  for (const stores of opened) await stores.ready();
  for (const { token } of acknowledged) {
    assert.equal(await outcome(verifier, token), 'revoked');
    assert.equal(await outcome(revoker, token), 'revoked');
  }
});

test('sentinel: while the replica lags behind, nothing is acknowledged (503); after it is promoted, every acknowledged rotation stays used', async () => {
  topology = await startSentinels({ replicaLink: true });
  const prefix = `t-${randomUUID()}:`;
  const auth = await service(prefix);
  const now = Math.floor(Date.now() / 1000);
  assert.equal(await auth.stores.rotationStore.consume('before', now + 60, now, { iat: now }), undefined);
  const before = auth.createToken({ sub: 'before' });
  await auth.revoke(before);

  // The replica stops receiving (its link frozen, no error): the master alone holds what follows, and a failover would lose it.
  topology.replicaLink!.freeze();
  const during = auth.createToken({ sub: 'during' });
  await assert.rejects(auth.stores.rotationStore.consume('during', now + 60, now, { iat: now }), apoError('ERR_STORE_UNAVAILABLE', 503));
  await assert.rejects(auth.revoke(during), apoError('ERR_STORE_UNAVAILABLE', 503));
  // Refused, yet this service already refuses the token itself (its mirror first), and writes it back at its next resync.
  assert.notEqual(await outcome(auth, during), 'valid');

  await topology.failover(); // promotes the replica that never received 'during'
  const late = await service(prefix);
  assert.equal(typeof (await late.stores.rotationStore.consume('before', now + 60, now, { iat: now })), 'number', 'the acknowledged rotation stays used');
  assert.equal(await outcome(late, before), 'revoked');
  // The refused revocation was written back by the service that made it, once it resynced on the new master.
  await auth.stores.ready();
  await eventually(async () => (await outcome(late, during)) === 'revoked', 'the refused revocation is written back');
});

test('sentinel: API keys made and revoked with replicas: 1 survive a forced failover (the revoked one stays refused, the other accepted)', async () => {
  topology = await startSentinels();
  const prefix = `t-${randomUUID()}:`;
  const admin = await service(prefix);
  const keys = new ApiKeys({ store: admin.stores.apiKeyStore, cache: false });
  const kept = await keys.create({ subject: 'partner:acme', permissions: ['orders:read'] });
  const revoked = await keys.create({ subject: 'partner:acme', permissions: ['orders:read'] });
  assert.equal(await keys.revoke(revoked.id), true, 'acknowledged once the replica holds it');

  await topology.failover();
  const late = await service(prefix);
  const after = new ApiKeys({ store: late.stores.apiKeyStore, cache: false });
  assert.equal((await after.verify(kept.key)).sub, 'partner:acme', 'the key made before the failover is on the new master');
  await assert.rejects(after.verify(revoked.key), apoError('ERR_API_KEY_REVOKED', 401), 'the acknowledged revocation is on the new master');
});
