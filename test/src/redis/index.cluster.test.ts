// createRedisStores (index.ts) on a three-master Redis Cluster: the store
// conformance kit, revocations shared between services connected through
// different nodes, and rotation across them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { runStoreConformance } from '@apojwt/conformance';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { apoError, failOnUnhandledRejections, keyPairFor } from '../support/helpers.js';
import { eventually } from '../support/redis-server.js';
import { startCluster, type OwnCluster } from '../support/redis-topology.js';

const unhandled = failOnUnhandledRejections();
let cluster: OwnCluster | undefined;
const clients: Cluster[] = [];
const opened: RedisStores[] = [];

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  for (const stores of opened) await stores.close();
  for (const client of clients) client.disconnect();
  await cluster?.dispose();
  unhandled.check();
});

/** A cluster client that first knows only node `seed`: each service may start from another master. */
function clusterClient(seed = 0): Cluster {
  const nodes = cluster!.nodes;
  const client = new Cluster([nodes[seed % nodes.length]!], { redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 } });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

let seeds = 0;
runStoreConformance(
  'RedisRevocationStore + RedisRotationStore on a Redis Cluster',
  async ({ maxEntries }) => {
    const client = clusterClient(seeds++);
    const stores = createRedisStores({ redis: client, prefix: `t-${randomUUID()}:`, ...(maxEntries === undefined ? {} : { maxEntries }) });
    await stores.ready();
    return {
      revocationStore: stores.revocationStore,
      rotationStore: stores.rotationStore,
      close: async () => {
        await stores.close();
        client.disconnect();
      },
    };
  },
  { rotationStoreBounded: false },
);

const base = { iss: 'auth', serverAudience: 'orders', algorithm: 'ES256' } as const;

async function clusterStores(prefix: string, seed: number): Promise<RedisStores> {
  const stores = createRedisStores({ redis: clusterClient(seed), prefix });
  opened.push(stores);
  await stores.ready();
  return stores;
}

async function service(prefix: string, seed: number): Promise<ApoJwt> {
  const stores = await clusterStores(prefix, seed);
  return new ApoJwt({ ...base, privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' }, revocationStore: stores.revocationStore });
}

async function authService(prefix: string, seed: number): Promise<ApoJwt<string, object, object, true>> {
  const stores = await clusterStores(prefix, seed);
  return new ApoJwt({
    ...base,
    privateKey: { key: keyPairFor('ES256').privateKey, kid: 'k1' },
    revocationStore: stores.revocationStore,
    rotationStore: stores.rotationStore,
    refresh: { refreshSecret: 'r'.repeat(32) },
  }) as unknown as ApoJwt<string, object, object, true>;
}

async function isRevoked(apo: ApoJwt, token: string): Promise<boolean> {
  try {
    await apo.verify(token);
    return false;
  } catch (error) {
    return error instanceof ApoJwtError && error.code === 'ERR_TOKEN_REVOKED';
  }
}

test('cluster: every key of one prefix lives in one slot, so each script runs on one master', async () => {
  const prefix = `t-${randomUUID()}:`;
  const stores = await clusterStores(prefix, 0);
  const now = Math.floor(Date.now() / 1000);
  await stores.revocationStore.revokeSubject('alice', now, now + 60, now);
  await stores.revocationStore.revokeToken('jti-1', now + 60, now);
  assert.equal(await stores.rotationStore.consume('jti-2', now + 60, now, { iat: now }), undefined);
  const client = clusterClient(1);
  const slots = new Set<number>();
  for (const key of [`{${prefix}}rev:jti`, `{${prefix}}rev:sub`, `{${prefix}}rev:sub:at`, `{${prefix}}rev:events`, `{${prefix}}rotation:epoch`, `{${prefix}}rot:jti-2`]) {
    slots.add((await client.cluster('KEYSLOT', key)) as number);
  }
  assert.equal(slots.size, 1);
  assert.equal(await client.zcard(`{${prefix}}rev:jti`), 1);
  assert.deepEqual(await client.hkeys(`{${prefix}}rev:sub:at`), ['alice']);
});

test('cluster: services that reach the cluster through different masters see each other’s revocations', async () => {
  const prefix = `t-${randomUUID()}:`;
  const [a, b, c] = [await service(prefix, 0), await service(prefix, 1), await service(prefix, 2)];
  const t1 = a.createToken({ sub: 'alice' });
  const t2 = b.createToken({ sub: 'bob' });
  for (const apo of [a, b, c]) {
    assert.equal((await apo.verify(t1)).sub, 'alice');
    assert.equal((await apo.verify(t2)).sub, 'bob');
  }
  await a.revoke(t1);
  await assert.rejects(a.verify(t1), apoError('ERR_TOKEN_REVOKED', 401));
  await eventually(() => isRevoked(b, t1), "b sees a's revocation");
  await eventually(() => isRevoked(c, t1), "c sees a's revocation");
  await c.revokeSubject('bob');
  await eventually(() => isRevoked(a, t2), "a sees c's subject revocation");
  await eventually(() => isRevoked(b, t2), "b sees c's subject revocation");
  // A service started afterwards reads them from the cluster before it serves.
  const late = await service(prefix, 1);
  assert.equal(await isRevoked(late, t1), true);
  assert.equal(await isRevoked(late, t2), true);
});

test('cluster: 20 parallel rotations of one refresh token on three services: exactly one wins', async () => {
  const prefix = `t-${randomUUID()}:`;
  const services = [await authService(prefix, 0), await authService(prefix, 1), await authService(prefix, 2)];
  const login = services[0]!.createToken({ sub: 'carol' });
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => services[i % 3]!.rotate(login.refreshToken)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const loser of results.filter((r) => r.status === 'rejected')) {
    assert.ok(apoError('ERR_REFRESH_REUSED', 401)((loser as PromiseRejectedResult).reason));
  }
});
