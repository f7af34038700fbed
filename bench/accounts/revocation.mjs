// Revocation lookups, same run, alternating rounds: the memory store, the
// Redis store (@apojwt/redis), PostgresRevocationStore on the real server
// and on PGlite. Needs REDIS_URL and DATABASE_URL (bench/accounts/run.sh
// starts both when they are not set).
//
//   node bench/accounts/revocation.mjs   # ROUNDS=5 ROUND_MS=250 REVOKED=10000
//
// For each store, with REVOKED revoked jtis, REVOKED/10 subjects and
// REVOKED/10 families in it:
// 1. isRevoked on a hit (a revoked jti) and a miss (nothing revoked matches),
//    as core calls it. The Redis store answers from its in-process mirror
//    (kept fresh by pub/sub), so:
// 2. the raw store query, what a check would cost asking the server: for
//    Redis one pipeline of the three lookups the mirror saves (ZSCORE jti,
//    ZSCORE + HGET subject, ZSCORE family), for PostgreSQL the store's own
//    statement through the pool, without the store around it.
// 3. What a verification costs with each store: HS256 `apo.verify` of a live
//    token and of a revoked one, with the verified-token cache off (every
//    verify checks the signature, then asks the store) and on (a cache hit
//    still asks the store, so a revocation takes effect at once).
// Figures are ns per operation, awaited one after another (one request's
// view), and for the calls that go to a server also with 64 in flight
// (a busy service's view); the median of ROUNDS rounds of ROUND_MS each.
import { ApoJwt, ApoJwtError, MemoryRevocationStore } from '@apojwt/core';
import { RedisRevocationStore } from '@apojwt/redis';
import { PostgresRevocationStore } from '@apojwt/postgres';
import { Redis } from 'ioredis';
import { median, nsPerOp } from '../lib/measure.mjs';
import { fmt, machineLine, openPGlite, openPostgres, shuffled } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const ROUND_MS = Number(process.env.ROUND_MS ?? 250);
const REVOKED = Number(process.env.REVOKED ?? 10_000);
if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set: source scripts/redis.sh; start_redis (or run bench/accounts/run.sh)');

console.log(`# revocation lookups: memory vs Redis vs PostgreSQL vs PGlite — ${machineLine()}`);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const prefix = `bench-${process.pid}:`;
const postgres = await openPostgres();
const pglite = await openPGlite();
// A long heartbeat: this measures lookups, not outages, and a loaded machine may delay a PING's answer.
const redisStore = new RedisRevocationStore({ redis: process.env.REDIS_URL, prefix, heartbeat: 10_000 });
await redisStore.ready();
const raw = new Redis(process.env.REDIS_URL);

const stores = [
  { name: 'memory', store: new MemoryRevocationStore({ maxEntries: 10 * REVOKED }) },
  { name: 'Redis (mirror)', store: redisStore, rawQuery: redisRaw },
  { name: 'PostgreSQL', store: new PostgresRevocationStore(postgres.db), rawQuery: sqlRaw(postgres.pool) },
  { name: 'PGlite', store: new PostgresRevocationStore(pglite.db), rawQuery: sqlRaw(pglite.pglite) },
];

// The same revocations in every store.
const now = nowSeconds();
const exp = now + 3600;
for (const { store } of stores) {
  for (let i = 0; i < REVOKED; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, REVOKED - i) }, (_, k) => store.revokeToken(`revoked-jti-${i + k}`, exp, now)));
  }
  for (let i = 0; i < REVOKED / 10; i++) await store.revokeSubject(`revoked-sub-${i}`, now, exp, now);
  for (let i = 0; i < REVOKED / 10; i++) await store.revokeFamily(`revoked-fam-${i}`, exp, now);
}
await new Promise((resolve) => setTimeout(resolve, 500)); // the mirror hears the last published revocations
const hit = { jti: `revoked-jti-${REVOKED >> 1}`, sub: 'user-1', iat: now, fam: undefined };
const miss = { jti: 'live-jti', sub: 'user-1', iat: now, fam: 'live-fam' };

const SQL = `SELECT EXISTS (SELECT 1 FROM apojwt_revoked_tokens WHERE jti = $1::text AND expires_at > $4::bigint)
    OR EXISTS (SELECT 1 FROM apojwt_revoked_subjects WHERE sub = $2::text AND revoked_at >= $3::bigint AND expires_at > $4::bigint)
    OR EXISTS (SELECT 1 FROM apojwt_revoked_families WHERE fam = $5::text AND expires_at > $4::bigint) AS revoked`;
function sqlRaw(client) {
  return async (q) => (await client.query(SQL, [q.jti ?? null, q.sub, q.iat, nowSeconds(), q.fam ?? null])).rows[0].revoked === true;
}
async function redisRaw(q) {
  const key = (name) => `{${prefix}}rev:${name}`;
  const [[, jtiExp], [, subExp], [, subAt], [, famExp]] = await raw
    .pipeline()
    .zscore(key('jti'), q.jti ?? '')
    .zscore(key('sub'), q.sub)
    .hget(key('sub:at'), q.sub)
    .zscore(key('fam'), q.fam ?? '')
    .exec();
  const t = nowSeconds();
  return Number(jtiExp) > t || (Number(subExp) > t && Number(subAt) >= q.iat) || Number(famExp) > t;
}

// Check every store gives the expected answers before timing them.
for (const s of stores) {
  for (const [q, expected] of [
    [hit, true],
    [miss, false],
  ]) {
    if ((await s.store.isRevoked(q, nowSeconds())) !== expected) throw new Error(`${s.name}: isRevoked should be ${expected}`);
    if (s.rawQuery && (await s.rawQuery(q)) !== expected) throw new Error(`${s.name}: the raw query should be ${expected}`);
  }
  s.sync = typeof s.store.isRevoked(miss, nowSeconds()) === 'boolean';
  for (const cache of [false, true]) {
    const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', revocationStore: s.store, ...(cache ? {} : { cache: false }) });
    const live = apo.createToken({ sub: 'user-1' });
    const revoked = apo.createToken({ sub: 'user-2' });
    await apo.revoke(revoked);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await apo.verify(live); // fills the cache when it is on
    const refuse = () =>
      apo.verify(revoked).then(
        () => {
          throw new Error(`${s.name}: a revoked token verified`);
        },
        (error) => {
          if (!(error instanceof ApoJwtError) || error.code !== 'ERR_TOKEN_REVOKED') throw error;
        },
      );
    await refuse();
    s[cache ? 'cached' : 'uncached'] = { live: () => apo.verify(live), revoked: refuse };
  }
}

/** The contenders: [label, store, contender, serverOnly]. */
const cells = [];
for (const s of stores) {
  const check = (q) => (s.sync ? { sync: () => s.store.isRevoked(q, nowSeconds()) } : { async: () => s.store.isRevoked(q, nowSeconds()), sequential: true });
  cells.push(['isRevoked, hit', s, check(hit)], ['isRevoked, miss', s, check(miss)]);
  if (!s.sync) cells.push(['isRevoked, miss, 64 in flight', s, { async: () => s.store.isRevoked(miss, nowSeconds()) }]);
  if (s.rawQuery) {
    cells.push(['raw store query, hit', s, { async: () => s.rawQuery(hit), sequential: true }], ['raw store query, miss', s, { async: () => s.rawQuery(miss), sequential: true }]);
    cells.push(['raw store query, miss, 64 in flight', s, { async: () => s.rawQuery(miss) }]);
  }
  cells.push(
    ['verify, cache off, live token', s, { async: s.uncached.live, sequential: true }],
    ['verify, cache off, revoked token', s, { async: s.uncached.revoked, sequential: true }],
    ['verify, cache off, live token, 64 in flight', s, { async: s.uncached.live }],
    ['verify, cache on (hit), live token', s, { async: s.cached.live, sequential: true }],
  );
}
const samples = new Map(cells.map((cell) => [cell, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const cell of shuffled(cells)) {
    samples.get(cell).push(await nsPerOp(cell[2], ROUND_MS, { chunk: cell[2].sync ? 1000 : 50 }));
    // A synchronous contender never yields: let the Redis subscription's PINGs and messages through.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

await redisStore.close();
raw.disconnect();
await postgres.close();
await pglite.close();

const labels = [
  'isRevoked, hit',
  'isRevoked, miss',
  'isRevoked, miss, 64 in flight',
  'raw store query, hit',
  'raw store query, miss',
  'raw store query, miss, 64 in flight',
  'verify, cache off, live token',
  'verify, cache off, revoked token',
  'verify, cache off, live token, 64 in flight',
  'verify, cache on (hit), live token',
];
console.log(`\n| per operation (median of ${ROUNDS} rounds) | ${stores.map((s) => s.name).join(' | ')} |`);
console.log(`| --- |${stores.map(() => ' --- |').join('')}`);
const show = (ns) => (ns < 1000 ? `${fmt(ns, 0)} ns` : ns < 1e6 ? `${fmt(ns / 1000, 1)} µs` : `${fmt(ns / 1e6, 2)} ms`);
for (const label of labels) {
  const line = stores.map((s) => {
    const cell = cells.find(([l, st]) => l === label && st === s);
    return cell ? show(median(samples.get(cell))) : '—';
  });
  console.log(`| ${label} | ${line.join(' | ')} |`);
}
const verify = (s) => median(samples.get(cells.find(([l, st]) => l === 'verify, cache off, live token' && st === s)));
console.log(`\nverify, cache off, live token, ÷ memory store: ${stores.map((s) => `${s.name} ${fmt(verify(s) / verify(stores[0]), 2)}×`).join(', ')}`);
console.log(`load average after: ${machineLine().split('load average ')[1]}`);
