// Token exchange round trip (RFC 8693) against a real token endpoint: exchanges/s and latency
// p50/p99, and in the same run, for comparison, a client credentials grant on the same endpoint
// and exchangingFetch's cached path (a cache hit: no exchange), reported as ratios.
//
// The token endpoint (Express + tokenHandler from @apojwt/express/auth, ES256, exchange on) and
// a no-op downstream route run in a child process on 127.0.0.1; the callers (Node's fetch,
// core's exchangingFetch) run in this one. Rounds alternate the order of the contenders.
//
//   node microservices/token-exchange.mjs
// Knobs: ROUNDS (default 3), DURATION (s per measurement, default 3), CONCURRENCY (default 8),
// HASH (how the client secret is stored: sha256, hashClientSecret's default fast format; argon2id;
// or bcrypt:<cost>).
import { fork } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 3);
// The endpoint's default limiter counts only failed client authentications: any number of one
// client's requests may be in flight (a 429 stops the run).
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const HASH = process.env.HASH ?? 'sha256';
const ISS = 'https://auth.bench';
const CLIENT_ID = 'svc:orders';
const CLIENT_SECRET = 'bench-orders-client-secret-0123456789abcdef';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The hash options for HASH: undefined is hashClientSecret's default (the fast salted HMAC-SHA-256). */
function hashOptions() {
  if (HASH === 'sha256') return undefined;
  if (HASH === 'argon2id') return { algorithm: 'argon2id' };
  const match = /^bcrypt:(\d+)$/.exec(HASH);
  if (!match) throw new Error(`HASH must be sha256, argon2id or bcrypt:<cost>, not ${HASH}`);
  return { cost: Number(match[1]) };
}

async function serve() {
  const { default: express } = await import('express');
  const { ApoJwt } = await import('@apojwt/express');
  const { tokenHandler } = await import('@apojwt/express/auth');
  const { hashClientSecret, memoryClientRegistry } = await import('@apojwt/auth');
  const issuer = new ApoJwt({ template: 'express', algorithm: 'ES256', privateKey: process.env.BENCH_PRIVATE_KEY, iss: ISS, serverAudience: ['orders', 'billing'], expPeriod: 3600 });
  const options = hashOptions();
  const clients = memoryClientRegistry([
    { id: CLIENT_ID, secretHash: await hashClientSecret(CLIENT_SECRET, options), permissions: ['billing:read'], delegate: ['billing:read'], audiences: ['billing'] },
  ]);
  const app = express();
  // The default limiter stays on: it is part of every real token request (a success adds nothing to it).
  app.post('/auth/token', tokenHandler(issuer, { clients, ...(options?.cost !== undefined && { cost: options.cost }), exchange: { expPeriod: 300 } }));
  // Downstream: answers without checking, so the cached-path figures are exchangingFetch's own cost.
  app.get('/billing', (_req, res) => res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  // Connections idle while the in-process contender runs: keep them (Node's 5 s default races a reuse).
  server.keepAliveTimeout = 120_000;
  process.on('disconnect', () => process.exit(0));
}

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One call after another for DURATION seconds: latencies in ms. */
async function sequential(call) {
  const latencies = [];
  const until = performance.now() + DURATION * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

/** CONCURRENCY loops for DURATION seconds: calls per second. */
async function throughput(call) {
  let count = 0;
  const started = performance.now();
  const until = started + DURATION * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) {
        await call();
        count += 1;
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function compare() {
  const { ApoJwt, exchangingFetch } = await import('@apojwt/core');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  const users = new ApoJwt({ algorithm: 'ES256', privateKey: privatePem, iss: ISS, serverAudience: ['orders', 'billing'], expPeriod: 3600 });
  const loadBefore = os.loadavg();

  const child = fork(fileURLToPath(import.meta.url), ['serve'], { env: { ...process.env, BENCH_PRIVATE_KEY: privatePem } });
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the token endpoint exited (${code})`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const tokenUrl = `${base}/auth/token`;
  const downstream = `${base}/billing`;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`;

  // Each exchange is a miss: a new user token every call (minting one is ≈ 0.1 ms of this process's time).
  const freshUser = () => users.createToken({ sub: `user-${Math.random()}`, permissions: ['orders:read', 'billing:read'] });
  const toBilling = exchangingFetch({ tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, audience: 'billing', maxCached: 100_000 });
  const exchange = async () => {
    await toBilling.token(freshUser());
  };
  const clientCredentials = async () => {
    const response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
      body: 'grant_type=client_credentials',
    });
    if (response.status !== 200) throw new Error(`client credentials answered ${response.status}`);
    await response.arrayBuffer();
  };
  // The cached path: one user token, exchanged once, then every call a hit.
  const cachedUser = freshUser();
  const exchanged = await toBilling.token(cachedUser);
  const cachedToken = async () => {
    await toBilling.token(cachedUser);
  };
  const cachedCall = async () => {
    const response = await toBilling(cachedUser, downstream);
    await response.arrayBuffer();
  };
  const plainCall = async () => {
    const response = await fetch(downstream, { headers: { authorization: `Bearer ${exchanged}` } });
    await response.arrayBuffer();
  };

  // A check, and the warm-up: every contender answers, the exchange for real.
  const probe = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
    body: new URLSearchParams({ grant_type: EXCHANGE, subject_token: freshUser(), subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: 'billing' }),
  });
  if (probe.status !== 200) throw new Error(`the exchange answered ${probe.status}: ${await probe.text()}`);
  for (const call of [exchange, clientCredentials, cachedCall, plainCall, cachedToken]) for (let i = 0; i < 20; i++) await call();

  const contenders = [
    ['token exchange (exchangingFetch, cache miss)', exchange, true],
    ['client credentials grant (fetch)', clientCredentials, true],
    ['exchangingFetch call, cached token (+ downstream GET)', cachedCall, true],
    ['plain fetch, same downstream GET, fixed header', plainCall, true],
    ['exchangingFetch .token(), cache hit (no HTTP)', cachedToken, false],
  ];
  const results = new Map(contenders.map(([name]) => [name, { p50: [], p99: [], rate: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const [name, call] of order) {
      // Half a second unrecorded first: the previous contender's wake (the server's GC after
      // argon2's 19 MiB per hash, idle pooled connections) is not charged to this one.
      const until = performance.now() + 500;
      while (performance.now() < until) await call();
      const latencies = await sequential(call);
      const entry = results.get(name);
      entry.p50.push(quantile(latencies, 0.5));
      entry.p99.push(quantile(latencies, 0.99));
      entry.rate.push(await throughput(call));
    }
  }
  // The cached call against the plain fetch, alternating call by call: a slow spell of the shared
  // machine hits both alike, so a difference of microseconds on a sub-millisecond call shows.
  const paired = { cached: [], plain: [] };
  const pairedUntil = performance.now() + ROUNDS * DURATION * 1000;
  for (let i = 0; performance.now() < pairedUntil; i++) {
    for (const [side, call] of i % 2 === 0
      ? [
          ['cached', cachedCall],
          ['plain', plainCall],
        ]
      : [
          ['plain', plainCall],
          ['cached', cachedCall],
        ]) {
      const started = performance.now();
      await call();
      paired[side].push(performance.now() - started);
    }
  }
  const loadAfter = os.loadavg();
  child.disconnect();

  const row = (name) => {
    const { p50, p99, rate } = results.get(name);
    return { p50: median(p50), p99: median(p99), rate: median(rate) };
  };
  const ex = row(contenders[0][0]);
  const fmtMs = (ms) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
  console.log(`Node ${process.version}, ${os.cpus().length} vCPU, client secret stored as ${HASH}; ROUNDS=${ROUNDS} DURATION=${DURATION} CONCURRENCY=${CONCURRENCY}`);
  console.log(`load average (1, 5, 15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log(`| contender | p50 (one at a time) | p99 | × exchange p50 | calls/s (${CONCURRENCY} concurrent) | × exchange calls/s |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  for (const [name] of contenders) {
    const r = row(name);
    console.log(`| ${name} | ${fmtMs(r.p50)} | ${fmtMs(r.p99)} | ${(r.p50 / ex.p50).toPrecision(3)} | ${Math.round(r.rate)} | ${(r.rate / ex.rate).toPrecision(3)} |`);
  }
  const cached = row(contenders[2][0]);
  const plain = row(contenders[3][0]);
  console.log(`\nexchangingFetch's cached call ÷ plain fetch: p50 ${(cached.p50 / plain.p50).toFixed(2)}×, calls/s ${(cached.rate / plain.rate).toFixed(2)}× (separate measurements)`);
  const pairedP50 = (side) =>
    quantile(
      [...paired[side]].sort((a, b) => a - b),
      0.5,
    );
  console.log(
    `paired, call by call (${paired.cached.length} pairs): cached p50 ${fmtMs(pairedP50('cached'))}, plain p50 ${fmtMs(pairedP50('plain'))}, ratio ${(pairedP50('cached') / pairedP50('plain')).toFixed(3)}×, difference ${((pairedP50('cached') - pairedP50('plain')) * 1000).toFixed(1)} µs`,
  );
  console.log(
    `per-round p50 (ms): ${contenders
      .map(
        ([name]) =>
          `${name.split(' (')[0]}: ${results
            .get(name)
            .p50.map((v) => v.toFixed(3))
            .join('/')}`,
      )
      .join('; ')}`,
  );
  process.exit(0);
}

if (process.argv[2] === 'serve') await serve();
else await compare();
