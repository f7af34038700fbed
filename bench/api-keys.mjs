// API key verification per request vs a cache-missing HS256 verify of
// @apojwt/core, every contender in the same run, reported as ratios.
// Needs REDIS_URL for the miss-to-Redis rows (scripts/bench.sh, or
// `source scripts/redis.sh; start_redis`); without it they are left out.
//
//   node bench/api-keys.mjs      (ROUNDS, ROUND_MS as in core/verify.mjs)
//
// Target (issue 12): an API key check on a local cache hit costs no more than
// a cache-missing HS256 verify.
//
// What each row runs:
// - HS256 rows: `apo.verify(token)` with the verified-token cache off (every
//   call verifies the signature and the claims), and the same as the guard
//   runs it per request: the Bearer token read from the raw headers, then
//   authorize with a permission.
// - API key rows, local cache hit: `keys.verifyEagerly(key)` (what the guard
//   runs: synchronous, one SHA-256 and a constant-time compare), the key read
//   from the raw headers first, and `apo.authorizeApiKey(key, 'orders:read')`
//   (the public async call, with the permission check).
// - API key rows, miss to Redis: `cache: false` over RedisApiKeyStore, each
//   call one HGETALL round trip (64 concurrent calls per batch, as concurrent
//   requests; and one await per call, a lone request's latency).
import { cpus, loadavg } from 'node:os';
import { ApiKeys, ApoJwt, MemoryApiKeyStore, findBearerToken } from '@apojwt/core';
import { RedisApiKeyStore } from '@apojwt/redis';
import { median, nsPerOp } from './lib/measure.mjs';

const SECRET = 'bench-secret-bench-secret-bench-secret!';
const ISS = 'https://auth.example.test';
const AUD = 'orders-service';
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROUND_MS = Number(process.env.ROUND_MS ?? 300);
const BATCH = 64;
const redisUrl = process.env.REDIS_URL;

const issuer = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, expPeriod: 3600 });
const token = issuer.createToken({ sub: 'user-1234', permissions: ['orders:read', 'orders:write', 'billing:*'], data: { tenant: 'acme', plan: 'pro' } });
const bearerHeaders = ['Host', 'api.example', 'Authorization', `Bearer ${token}`, 'Accept', 'application/json'];
const hsMiss = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, cache: false });

const memoryKeys = new ApiKeys({ store: new MemoryApiKeyStore() });
const apoKeys = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, apiKeys: memoryKeys });
const { key } = await memoryKeys.create({ subject: 'partner:acme', permissions: ['orders:read', 'orders:write', 'billing:*'] });
const keyHeaders = ['Host', 'api.example', 'X-API-Key', key, 'Accept', 'application/json'];

let redisStore;
let redisKeys;
let redisKey;
if (redisUrl !== undefined) {
  redisStore = new RedisApiKeyStore({ redis: redisUrl, prefix: `bench-${process.pid}:` });
  redisKeys = new ApiKeys({ store: redisStore, cache: false, lastUsedInterval: 86_400 });
  ({ key: redisKey } = await redisKeys.create({ subject: 'partner:acme', permissions: ['orders:read'] }));
}

const HS_MISS = 'HS256 verify, cache miss (apo.verify, cache: false)';
const contenders = [
  { name: HS_MISS, async: () => hsMiss.verify(token), reference: true },
  { name: 'HS256 per request, cache miss: find Bearer in raw headers + authorize(orders:read)', async: () => hsMiss.authorize(findBearerToken(bearerHeaders), 'orders:read') },
  { name: "API key, local cache hit: verifyEagerly (the guard's call, sync)", sync: () => memoryKeys.verifyEagerly(key), target: 1 },
  { name: 'API key per request, local cache hit: find X-API-Key in raw headers + verifyEagerly', sync: () => memoryKeys.verifyEagerly(memoryKeys.find(keyHeaders)), target: 1 },
  { name: 'API key, local cache hit: apo.authorizeApiKey(key, orders:read) (async)', async: () => apoKeys.authorizeApiKey(key, 'orders:read') },
];
if (redisKeys !== undefined) {
  contenders.push(
    { name: 'API key, miss to Redis (cache: false), 64 concurrent', async: () => redisKeys.verify(redisKey) },
    { name: 'API key, miss to Redis (cache: false), one await per call', async: () => redisKeys.verify(redisKey), sequential: true },
  );
}

for (const c of contenders) await (c.sync ? c.sync() : c.async());
const runFor = (c, ms) => nsPerOp(c, ms, { chunk: c.sequential ? 200 : 1000, batch: BATCH });
for (const c of contenders) await runFor(c, 200);
const samples = new Map(contenders.map((c) => [c, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const c of contenders) samples.get(c).push(await runFor(c, ROUND_MS));
}
const reference = contenders[0];

console.log(
  `API keys vs HS256, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; median of ${ROUNDS} rounds x ${ROUND_MS} ms`,
);
console.log('| contender | ns/op | × HS256 cache miss, per round: median (range) | target |');
console.log('|---|---:|---:|---|');
for (const c of contenders) {
  const ratios = samples.get(c).map((ns, r) => ns / samples.get(reference)[r]);
  const ratio = median(ratios);
  const target = c.target === undefined ? '' : `≤ ${c.target}× ${ratio <= c.target ? 'met' : 'MISSED'}`;
  console.log(`| ${c.name} | ${median(samples.get(c)).toFixed(0)} | ${ratio.toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${target} |`);
}
await redisStore?.close();
