// Express req/s with revocation on Redis (@apojwt/redis, local mirror kept
// fresh by pub/sub) against the in-memory store, same run, alternating rounds.
// The server runs in a child process (one core), autocannon in this one.
// Needs REDIS_URL (scripts/bench.sh or `source scripts/redis.sh; start_redis`).
//
//   node microservices/express-redis.mjs            # the comparison
//   node microservices/express-redis.mjs serve memory|redis   # one server (used by the above)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync } from 'node:crypto';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const DURATION = Number(process.env.DURATION ?? 2);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await compare();

async function serve(storeKind) {
  const { default: express } = await import('express');
  const { ApoJwt, ApoJwtError, toHttpErrorResponse } = await import('@apojwt/core');
  const { createRedisStores } = await import('@apojwt/redis');
  const publicJwk = JSON.parse(process.env.BENCH_PUBLIC_JWK);
  let stores;
  if (storeKind === 'redis') {
    stores = createRedisStores({ redis: process.env.REDIS_URL, prefix: `bench-${process.pid}:` });
    await stores.ready();
  }
  const apo = new ApoJwt({
    algorithm: 'ES256',
    iss: 'auth',
    serverAudience: 'orders',
    publicKeys: [{ key: publicJwk, kid: 'bench' }],
    ...(stores ? { revocationStore: stores.revocationStore } : {}),
  });
  // A few revocations exist, as in a live system.
  for (let i = 0; i < 1000; i++) await apo.revoke(`revoked-jti-${i}`);
  const app = express();
  app.get('/orders', async (req, res) => {
    try {
      const claims = await apo.verify((req.headers.authorization ?? '').slice(7));
      res.json({ sub: claims.sub, orders: [] });
    } catch (error) {
      if (!(error instanceof ApoJwtError)) throw error;
      const answer = toHttpErrorResponse(error);
      res.status(answer.status).set(answer.headers).json(answer.body);
    }
  });
  const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
  process.on('SIGTERM', async () => {
    server.close();
    await stores?.close();
    process.exit(0);
  });
}

async function compare() {
  if (!process.env.REDIS_URL) throw new Error('REDIS_URL is not set: source scripts/redis.sh; start_redis');
  const { default: autocannon } = await import('autocannon');
  const { ApoJwt } = await import('@apojwt/core');
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = new ApoJwt({ algorithm: 'ES256', iss: 'auth', serverAudience: 'orders', privateKey: { key: privateKey, kid: 'bench' }, expPeriod: 3600 });
  const token = issuer.createToken({ sub: 'user-1', permissions: ['orders:read'] });
  const env = { ...process.env, BENCH_PUBLIC_JWK: JSON.stringify(publicKey.export({ format: 'jwk' })) };
  const script = fileURLToPath(import.meta.url);

  async function round(kind) {
    const child = spawn(process.execPath, [script, 'serve', kind], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const { value: line } = await lines.next();
    const { port } = JSON.parse(line);
    const url = `http://127.0.0.1:${port}/orders`;
    const headers = { authorization: `Bearer ${token}` };
    await autocannon({ url, headers, connections: CONNECTIONS, duration: 1 }); // warm-up
    const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${kind}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  }

  // Paired rounds, the order alternating, so that a slow spell on a shared
  // machine hits both sides; the ratio is the median of the per-pair ratios.
  const figures = { memory: [], redis: [] };
  const ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? ['memory', 'redis'] : ['redis', 'memory'];
    const pair = {};
    for (const kind of order) pair[kind] = await round(kind);
    figures.memory.push(pair.memory);
    figures.redis.push(pair.redis);
    ratios.push(pair.redis / pair.memory);
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const memory = median(figures.memory);
  const redis = median(figures.redis);
  console.log(`\nExpress GET /orders, ES256 token, ${CONNECTIONS} connections, ${DURATION} s x ${ROUNDS} rounds each (median req/s; ratio = median of paired rounds)`);
  console.log('| revocation store | req/s | × memory | target |');
  console.log('|---|---:|---:|---:|');
  console.log(`| MemoryRevocationStore | ${memory.toFixed(0)} | 1.00 | |`);
  const ratio = median(ratios);
  console.log(`| RedisRevocationStore (mirror + pub/sub) | ${redis.toFixed(0)} | ${ratio.toFixed(2)} | ≥ 0.9× ${ratio >= 0.9 ? 'met' : 'MISSED'} |`);
  console.log(`pair ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
  console.log(`rounds: memory ${figures.memory.map((v) => v.toFixed(0)).join(', ')}; redis ${figures.redis.map((v) => v.toFixed(0)).join(', ')}`);
}
