import { randomUUID } from 'node:crypto';
import { runStoreConformance } from '@apojwt/conformance';
import { createRedisStores } from '@apojwt/redis';
import { redisTestFile } from '../support/redis-server.js';

const redis = redisTestFile();

// Each test gets its own prefix on the suite's Redis; the kit closes the stores after it.
runStoreConformance(
  'RedisRevocationStore + RedisRotationStore',
  async ({ maxEntries }) => {
    const stores = createRedisStores({ redis: redis.url, prefix: `t-${randomUUID()}:`, ...(maxEntries === undefined ? {} : { maxEntries }) });
    await stores.ready();
    return { revocationStore: stores.revocationStore, rotationStore: stores.rotationStore, close: () => stores.close() };
  },
  { rotationStoreBounded: false },
);
