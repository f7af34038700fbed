// HS256 verification, every contender in the same run, on the same token.
// Reports ns/op (median of rounds) and the ratio to a node:crypto floor.
//
// Sync contenders (floor, jsonwebtoken, fast-jwt) run in a plain loop.
// Async contenders (jose, apojwt) are awaited in batches: BATCH calls are
// started, then `await Promise.all` waits for all of them, so each op pays
// its own promise(s) plus 1/BATCH of one await; that is what a server pays
// when concurrent requests verify at once. A second apojwt figure awaits
// every call one by one (the worst case: one full await per op).
//
// BEFORE_CORE=/path/to/another/build/of/packages/core/dist/index.js adds the
// same apojwt rows for that build (e.g. the tree before a refactor, built in a
// git worktree of its own), in the same process and the same interleaved
// rounds, and a before / after / fast-jwt summary.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import { ApoJwt } from '@apojwt/core';
import { median, nsPerOp } from '../lib/measure.mjs';

const SECRET = 'bench-secret-bench-secret-bench-secret!';
const ISS = 'https://auth.example.test';
const AUD = 'orders-service';
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROUND_MS = Number(process.env.ROUND_MS ?? 300);
const BATCH = 64;

const issuer = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, expPeriod: 3600 });
const token = issuer.createToken({ sub: 'user-1234', permissions: ['orders:read', 'orders:write', 'billing:*'], data: { tenant: 'acme', plan: 'pro' } });
const authorization = Buffer.from(`Bearer ${token}`).toString();
const keyObject = createSecretKey(Buffer.from(SECRET));
const keyBytes = new TextEncoder().encode(SECRET);

// The floor: the work any HS256 verifier must do. Split, HMAC the signing
// input, constant-time compare, decode and parse the payload.
function floor(t) {
  const first = t.indexOf('.');
  const last = t.lastIndexOf('.');
  const expected = createHmac('sha256', keyObject).update(t.slice(0, last)).digest();
  const given = Buffer.from(t.slice(last + 1), 'base64url');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new Error('bad');
  return JSON.parse(Buffer.from(t.slice(first + 1, last), 'base64url').toString());
}

const jwtOptions = { algorithms: ['HS256'], issuer: ISS, audience: AUD };
const fastOptions = { algorithms: ['HS256'], allowedIss: ISS, allowedAud: AUD };
const fastNoCache = createVerifier({ key: SECRET, ...fastOptions });
const fastCached = createVerifier({ key: SECRET, ...fastOptions, cache: true });
const apoMiss = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, cache: false });
const apoHit = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD });
const beforePath = process.env.BEFORE_CORE;
const before = beforePath === undefined ? undefined : await import(pathToFileURL(resolve(beforePath)).href);

const contenders = [
  { name: 'node:crypto floor (HMAC + timingSafeEqual + parse)', sync: () => floor(token), floor: true },
  { name: 'jsonwebtoken.verify, KeyObject', sync: () => jsonwebtoken.verify(token, keyObject, jwtOptions) },
  { name: 'jsonwebtoken.verify, string secret', sync: () => jsonwebtoken.verify(token, SECRET, jwtOptions) },
  { name: 'jose.jwtVerify', async: () => jose.jwtVerify(token, keyBytes, jwtOptions) },
  { name: 'fast-jwt, no cache', sync: () => fastNoCache(token) },
  { name: 'fast-jwt, cache', sync: () => fastCached(token) },
  { name: 'apojwt verify, cache miss (cache: false)', async: () => apoMiss.verify(token), target: 1.8 },
  { name: 'apojwt verify, cache hit', async: () => apoHit.verify(token), target: 0.3 },
  { name: 'apojwt verify, cache hit, one await per call', async: () => apoHit.verify(token), sequential: true },
  // As an adapter sees it: a new string sliced from the Authorization header
  // on every request, so the cache lookup works on a fresh string each time.
  { name: 'apojwt verify, cache hit, token sliced from a header each call', async: () => apoHit.verify(authorization.slice(7)) },
  // What the decorators run on a hit with a synchronous revocation store: no promise.
  { name: 'apojwt tryVerifySync, cache hit', sync: () => apoHit.tryVerifySync(token) },
];
if (before !== undefined) {
  const beforeMiss = new before.ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, cache: false });
  const beforeHit = new before.ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD });
  contenders.push(
    { name: 'apojwt BEFORE verify, cache miss (cache: false)', async: () => beforeMiss.verify(token) },
    { name: 'apojwt BEFORE verify, cache hit', async: () => beforeHit.verify(token) },
  );
  if (typeof beforeHit.tryVerifySync === 'function') contenders.push({ name: 'apojwt BEFORE tryVerifySync, cache hit', sync: () => beforeHit.tryVerifySync(token) });
}
const named = (name) => contenders.find((c) => c.name === name);

// Sanity: every contender accepts the token before anything is timed.
for (const c of contenders) await (c.sync ? c.sync() : c.async());

const runFor = (c, ms) => nsPerOp(c, ms, { chunk: 1000, batch: BATCH });

// Warm up, then interleave rounds so drift hits every contender alike.
for (const c of contenders) await runFor(c, 200);
const samples = new Map(contenders.map((c) => [c, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const c of contenders) samples.get(c).push(await runFor(c, ROUND_MS));
}
const floorNs = median(samples.get(contenders[0]));

console.log(`HS256 verify, ${token.length}-byte token, Node ${process.version}, median of ${ROUNDS} rounds x ${ROUND_MS} ms`);
console.log('| contender | ns/op | × floor | target |');
console.log('|---|---:|---:|---|');
for (const c of contenders) {
  const ns = median(samples.get(c));
  const ratio = ns / floorNs;
  let target = '';
  if (c.target !== undefined) {
    target = `≤ ${c.target}× ${ratio <= c.target ? 'met' : 'MISSED'}`;
  }
  console.log(`| ${c.name} | ${ns.toFixed(0)} | ${ratio.toFixed(2)} | ${target} |`);
}

if (before !== undefined) {
  // Ratios to the floor of the same round, then the median over rounds (and the range).
  const perRound = (c) => samples.get(c).map((ns, r) => ns / samples.get(contenders[0])[r]);
  const cell = (name) => {
    const ratios = perRound(named(name));
    return `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
  };
  console.log(`\nbefore = ${beforePath}; after = this tree's @apojwt/core; × the node:crypto floor of the same round, median (range) over ${ROUNDS} rounds`);
  const afterOverBefore = (after, beforeName) => {
    const ratios = samples.get(named(after)).map((ns, r) => ns / samples.get(named(beforeName))[r]);
    return `${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
  };
  const rows = [
    ['cache miss', 'apojwt BEFORE verify, cache miss (cache: false)', 'apojwt verify, cache miss (cache: false)', 'fast-jwt, no cache'],
    ['cache hit', 'apojwt BEFORE verify, cache hit', 'apojwt verify, cache hit', 'fast-jwt, cache'],
    ['cache hit, tryVerifySync', 'apojwt BEFORE tryVerifySync, cache hit', 'apojwt tryVerifySync, cache hit', undefined],
  ];
  console.log('| HS256 verify | before | after | fast-jwt | after ÷ before, per round |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [label, beforeName, afterName, peer] of rows) {
    if (named(beforeName) === undefined) continue;
    console.log(`| ${label} | ${cell(beforeName)} | ${cell(afterName)} | ${peer ? cell(peer) : ''} | ${afterOverBefore(afterName, beforeName)} |`);
  }
  const missAfter = median(perRound(named('apojwt verify, cache miss (cache: false)')));
  const missFast = median(perRound(named('fast-jwt, no cache')));
  console.log(`target: cache miss at or below fast-jwt's ratio in the same run: ${missAfter.toFixed(2)}× vs ${missFast.toFixed(2)}×, ${missAfter <= missFast ? 'met' : 'MISSED'}`);
}
