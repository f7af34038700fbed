// subscription.ts: on a Redis Cluster the revocation store listens with
// sharded pub/sub on the master of the channel's slot, the node that runs the
// revocation script; classic PUBLISH (relayed over the cluster bus) is not
// what it trusts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { failOnUnhandledRejections } from '../support/helpers.js';
import { eventually } from '../support/redis-server.js';
import { startCluster, type OwnCluster } from '../support/redis-topology.js';

const unhandled = failOnUnhandledRejections();
let cluster: OwnCluster | undefined;
let client: Cluster | undefined;
let stores: RedisStores | undefined;
const nodes: Redis[] = [];

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await stores?.close();
  client?.disconnect();
  for (const node of nodes) node.disconnect();
  await cluster?.dispose();
  unhandled.check();
});

test('cluster: the store subscribes (SSUBSCRIBE) on the master of its slot only, and hears SPUBLISH there, not PUBLISH', async () => {
  const prefix = `t-${randomUUID()}:`;
  const channel = `{${prefix}}rev:events`;
  client = new Cluster([cluster!.nodes[0]!], { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => undefined);
  stores = createRedisStores({ redis: client, prefix });
  await stores.ready();
  const owner = client.slots[(await client.cluster('KEYSLOT', channel)) as number]![0]!;
  for (const { host, port } of cluster!.nodes) nodes.push(new Redis({ host, port }));
  const subscribers = await Promise.all(nodes.map(async (node) => ((await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1]));
  assert.deepEqual(
    subscribers,
    cluster!.nodes.map(({ host, port }) => (`${host}:${port}` === owner ? 1 : 0)),
  );

  const now = Math.floor(Date.now() / 1000);
  const fact = (id: string) => JSON.stringify({ k: 'jti', id, exp: now + 60 });
  const ownerNode = nodes[cluster!.nodes.findIndex(({ host, port }) => `${host}:${port}` === owner)]!;
  const otherNode = nodes.find((node) => node !== ownerNode)!;
  await otherNode.publish(channel, fact('classic')); // relayed by the bus to every node, but not on the sharded channel
  await ownerNode.call('SPUBLISH', channel, fact('sharded'));
  const query = (jti: string) => ({ jti, sub: 'nobody', iat: now });
  await eventually(() => stores!.revocationStore.isRevoked(query('sharded'), now), 'the sharded publication arrives');
  assert.equal(stores.revocationStore.isRevoked(query('classic'), now), false);
});

test('cluster: a slot taken from its master (the server sends SUNSUBSCRIBE) makes the store stop trusting its mirror (503) until it serves again', async () => {
  const prefix = `t-${randomUUID()}:`;
  const channel = `{${prefix}}rev:events`;
  const moving = createRedisStores({ redis: client!, prefix, heartbeat: 200, retryDelay: 50 });
  try {
    await moving.ready();
    const slot = (await client!.cluster('KEYSLOT', channel)) as number;
    const owner = client!.slots[slot]![0]!;
    const ownerNode = nodes[cluster!.nodes.findIndex(({ host, port }) => `${host}:${port}` === owner)]!;
    await ownerNode.cluster('DELSLOTS', slot);
    try {
      // PINGs still answer on the connection; only the subscription is gone.
      await eventually(() => !moving.revocationStore.synced, 'the store stops trusting its mirror');
    } finally {
      await ownerNode.cluster('ADDSLOTS', slot);
    }
    await moving.ready(20_000);
    assert.equal(moving.revocationStore.synced, true);
  } finally {
    await moving.close();
  }
});
