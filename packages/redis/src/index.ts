import { ApoJwtConfigError } from '@apojwt/core';
import { connect, knownOptions, type RedisClient, type RedisInput } from './connection.js';
import { RedisRevocationStore, type RedisRevocationStoreOptions } from './redis-revocation-store.js';
import { RedisRotationStore } from './redis-rotation-store.js';
import { RedisApiKeyStore } from './redis-api-key-store.js';

export { RedisRevocationStore, type RedisRevocationStoreOptions } from './redis-revocation-store.js';
export { RedisRotationStore, type RedisRotationStoreOptions } from './redis-rotation-store.js';
export { RedisApiKeyStore, type RedisApiKeyStoreOptions } from './redis-api-key-store.js';
export type { RedisInput } from './connection.js';
export type { ReplicationOptions } from './replication.js';

export interface RedisStoresOptions extends Omit<RedisRevocationStoreOptions, 'redis'> {
  /** An ioredis client (`Redis`, Sentinel included, or `Cluster`; left open by `close`) or a redis:// URL. */
  redis: RedisInput;
}

export interface RedisStores {
  readonly revocationStore: RedisRevocationStore;
  readonly rotationStore: RedisRotationStore;
  /** API keys over the same connection: pass it as `apiKeys: { store: stores.apiKeyStore }`. */
  readonly apiKeyStore: RedisApiKeyStore;
  /** Resolves when revocations are in sync; await it before serving. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Both stores over one command connection (plus the subscription):
 * pass `revocationStore: stores.revocationStore, rotationStore: stores.rotationStore`
 * to `createApoJwt` (spreading `stores` itself is refused: `ready` and `close` are not options).
 */
export function createRedisStores(options: RedisStoresOptions): RedisStores {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('createRedisStores needs an options object');
  knownOptions('createRedisStores', options, ['redis', 'prefix', 'now', 'retryDelay', 'heartbeat', 'maxEntries', 'replicas', 'replicaTimeout']);
  const { client, owned } = connect(options.redis, 'createRedisStores');
  const shared: RedisClient = client;
  let revocationStore: RedisRevocationStore;
  let rotationStore: RedisRotationStore;
  try {
    ({ revocationStore, rotationStore } = makeStores(options, shared));
  } catch (error) {
    // A refused option must not leave the connection made from a URL reconnecting forever (and the process alive).
    if (owned) shared.disconnect();
    throw error;
  }
  const apiKeyStore = new RedisApiKeyStore({
    redis: shared,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.replicaTimeout !== undefined ? { replicaTimeout: options.replicaTimeout } : {}),
  });
  return {
    revocationStore,
    rotationStore,
    apiKeyStore,
    ready: (timeoutMs) => revocationStore.ready(timeoutMs),
    async close() {
      await revocationStore.close();
      await rotationStore.close();
      await apiKeyStore.close();
      if (owned) shared.disconnect();
    },
  };
}

function makeStores(options: RedisStoresOptions, shared: RedisClient): { revocationStore: RedisRevocationStore; rotationStore: RedisRotationStore } {
  const revocationStore = new RedisRevocationStore({ ...options, redis: shared });
  const rotationStore = new RedisRotationStore({
    redis: shared,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
    ...(options.replicaTimeout !== undefined ? { replicaTimeout: options.replicaTimeout } : {}),
  });
  return { revocationStore, rotationStore };
}
