// RedisApiKeyStore on a three-master Redis Cluster: the API-key store
// conformance kit, each test's keys under one hash tag (one slot per store prefix).
import { after, before } from 'node:test';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { runApiKeyStoreConformance } from '@apojwt/conformance';
import { RedisApiKeyStore } from '@apojwt/redis';
import { failOnUnhandledRejections } from '../support/helpers.js';
import { startCluster, type OwnCluster } from '../support/redis-topology.js';

const unhandled = failOnUnhandledRejections();
let cluster: OwnCluster | undefined;

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  await cluster?.dispose();
  unhandled.check();
});

let seeds = 0;
runApiKeyStoreConformance('RedisApiKeyStore on a Redis Cluster', () => {
  const nodes = cluster!.nodes;
  // Each store starts from another master: the slot's owner answers through redirection.
  const client = new Cluster([nodes[seeds++ % nodes.length]!], { redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 } });
  client.on('error', () => undefined);
  const store = new RedisApiKeyStore({ redis: client, prefix: `t-${randomUUID()}:` });
  return {
    store,
    close: async () => {
      await store.close();
      client.disconnect();
    },
  };
});
