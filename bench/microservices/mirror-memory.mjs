// The Redis revocation mirror at scale: heap held by 1 000 000 live
// revocations, the time of the first sync (an empty mirror reading them all)
// and of a resync after the subscription dropped (a full mirror merging them
// again). Writes the entries straight into the store's sorted set (the
// layout the REVOKE script keeps) so that filling Redis does not dominate.
// Needs REDIS_URL (scripts/bench.sh or `source scripts/redis.sh; start_redis`)
// and --expose-gc.
//
//   node --expose-gc microservices/mirror-memory.mjs        # N=1000000 by default
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RedisRevocationStore } from '@apojwt/redis';

const N = Number(process.env.N ?? 1_000_000);
const url = process.env.REDIS_URL;
if (!url) throw new Error('REDIS_URL is not set: source scripts/redis.sh && start_redis');
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const prefix = `bench-mirror-${randomUUID()}:`;
const admin = new Redis(url);
const now = Math.floor(Date.now() / 1000);
const exp = now + 3600;

async function fill() {
  const key = `${prefix}rev:jti`;
  const batch = 10_000;
  for (let i = 0; i < N; i += batch) {
    const args = [];
    // jtis as core makes them: random UUIDs (36 characters).
    for (let j = i; j < Math.min(N, i + batch); j++) args.push(exp, randomUUID());
    await admin.zadd(key, ...args);
  }
  await admin.expireat(key, exp + 1);
  return Number(await admin.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
}

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function waitUntil(probe) {
  return new Promise((resolve) => {
    const check = () => (probe() ? resolve() : setTimeout(check, 5));
    check();
  });
}

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

const t0 = performance.now();
const redisBytes = await fill();
const fillMs = performance.now() - t0;

const before = heap();
const store = new RedisRevocationStore({ redis: url, prefix, maxEntries: Math.max(N, 100_000) });
const t1 = performance.now();
await store.ready(120_000);
const firstSyncMs = performance.now() - t1;
const after = heap();
const [sample] = await admin.zrange(`${prefix}rev:jti`, 0, 0);
if (!store.isRevoked({ jti: sample, sub: 'x', iat: now }, now)) throw new Error('a stored revocation is missing from the mirror');

// A resync: drop the store's subscription from the server side; it reconnects, resubscribes and reads everything again.
const t2 = performance.now();
await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
await waitUntil(() => !store.synced);
await waitUntil(() => store.synced);
const resyncMs = performance.now() - t2;
const justAfterResync = heap();
// What the resync read (the reply, the map comparing it with the mirror) is released once its promise chain settles.
await new Promise((resolve) => setTimeout(resolve, 2_000));
const afterResync = heap();

await store.close();
await admin.del(`${prefix}rev:jti`);
admin.disconnect();

const perEntry = (after - before) / N;
console.log(`mirror-memory: ${N} revocations (jti, random UUIDs)`);
console.log(`| figure | value |`);
console.log(`|---|---:|`);
console.log(`| mirror heap (after the first sync, GC'd) | ${mib(after - before)} MiB (${perEntry.toFixed(0)} B per revocation) |`);
console.log(`| heap just after a resync (its read still referenced) | ${mib(justAfterResync - before)} MiB |`);
console.log(`| mirror heap after the resync settled (2 s, GC'd) | ${mib(afterResync - before)} MiB |`);
console.log(`| first sync (connect, subscribe, full read into an empty mirror) | ${firstSyncMs.toFixed(0)} ms |`);
console.log(`| resync after the subscription was killed (full read merged into a full mirror) | ${resyncMs.toFixed(0)} ms |`);
console.log(`| Redis memory of the sorted set (MEMORY USAGE) | ${mib(redisBytes)} MiB |`);
console.log(`| filling Redis (ZADD, 10 000 per call; not the store's cost) | ${fillMs.toFixed(0)} ms |`);
