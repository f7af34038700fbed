// RS256 and ES256 verification: every contender in the same run, same token,
// same public key. Reports ns/op (median of rounds) and the ratio to a
// node:crypto floor (split, crypto.verify with a KeyObject, parse payload).
//
// Sync contenders run in a plain loop; async ones (jose, apojwt) are started
// in batches of BATCH and awaited together, as concurrent requests would be.
// Rounds interleave the contenders; on a shared machine the best round
// (least disturbed) is the steadier figure, so both best and median are shown
// and the ratio uses the best rounds.
import { createServer } from 'node:http';
import { generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import { ApoJwt, jwksResponse } from '@apojwt/core';
import { createRedisStores } from '@apojwt/redis';
import { median, nsPerOp } from '../lib/measure.mjs';

const ISS = 'https://auth.example.test';
const AUD = 'orders-service';
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const ROUND_MS = Number(process.env.ROUND_MS ?? 200);
const BATCH = 64;

const pairs = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};

// The JWKS endpoint for the "apojwt via jwksUri" contender (fetched once, before timing).
let jwksBody = '';
const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwksBody));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const jwksUri = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;

// With REDIS_URL set, the cache-hit path is also timed against the Redis
// revocation store (its mirror answers without a round trip).
const stores = process.env.REDIS_URL ? createRedisStores({ redis: process.env.REDIS_URL, prefix: `bench-${process.pid}:` }) : undefined;
await stores?.ready();

function floorFor(alg, publicKey) {
  const ec = alg.startsWith('ES');
  return (t) => {
    const first = t.indexOf('.');
    const last = t.lastIndexOf('.');
    const signature = Buffer.from(t.slice(last + 1), 'base64url');
    const ok = cryptoVerify('sha256', Buffer.from(t.slice(0, last)), ec ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : publicKey, signature);
    if (!ok) throw new Error('bad signature');
    return JSON.parse(Buffer.from(t.slice(first + 1, last), 'base64url').toString());
  };
}

const runFor = (c, ms) => nsPerOp(c, ms, { chunk: 100, batch: BATCH });

for (const alg of ['RS256', 'ES256']) {
  const { privateKey, publicKey } = pairs[alg];
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' });
  const issuer = new ApoJwt({ algorithm: alg, privateKey: { key: privateKey, kid: 'bench' }, iss: ISS, serverAudience: AUD, expPeriod: 3600 });
  const token = issuer.createToken({ sub: 'user-1234', permissions: ['orders:read', 'orders:write', 'billing:*'], data: { tenant: 'acme', plan: 'pro' } });
  jwksBody = JSON.stringify(jwksResponse(issuer).body);

  const verifierOptions = { algorithm: alg, iss: ISS, serverAudience: AUD };
  const apoMiss = new ApoJwt({ ...verifierOptions, publicKeys: [{ key: publicKey, kid: 'bench' }], cache: false });
  const apoRemoteMiss = new ApoJwt({ ...verifierOptions, jwksUri, cache: false });
  const apoHit = new ApoJwt({ ...verifierOptions, publicKeys: [{ key: publicKey, kid: 'bench' }] });
  const jwtOptions = { algorithms: [alg], issuer: ISS, audience: AUD };
  const fastOptions = { algorithms: [alg], allowedIss: ISS, allowedAud: AUD };
  const fastNoCache = createVerifier({ key: publicPem, ...fastOptions });
  const fastCached = createVerifier({ key: publicPem, ...fastOptions, cache: true });
  const floor = floorFor(alg, publicKey);

  const contenders = [
    { name: 'node:crypto floor (crypto.verify + parse)', sync: () => floor(token), floor: true },
    { name: 'jsonwebtoken.verify, KeyObject', sync: () => jsonwebtoken.verify(token, publicKey, jwtOptions) },
    { name: 'jose.jwtVerify, KeyObject', async: () => jose.jwtVerify(token, publicKey, jwtOptions) },
    { name: 'fast-jwt, no cache', sync: () => fastNoCache(token) },
    { name: 'fast-jwt, cache', sync: () => fastCached(token) },
    { name: 'apojwt verify, cache miss, publicKeys', async: () => apoMiss.verify(token), target: 1.2 },
    { name: 'apojwt verify, cache miss, jwksUri', async: () => apoRemoteMiss.verify(token), target: 1.2 },
    { name: 'apojwt verify, cache hit', async: () => apoHit.verify(token) },
  ];
  if (stores) {
    const apoRedisHit = new ApoJwt({ ...verifierOptions, publicKeys: [{ key: publicKey, kid: 'bench' }], revocationStore: stores.revocationStore });
    const apoRedisMiss = new ApoJwt({ ...verifierOptions, publicKeys: [{ key: publicKey, kid: 'bench' }], revocationStore: stores.revocationStore, cache: false });
    contenders.push(
      { name: 'apojwt verify, cache miss, RedisRevocationStore', async: () => apoRedisMiss.verify(token), target: 1.2 },
      { name: 'apojwt verify, cache hit, RedisRevocationStore', async: () => apoRedisHit.verify(token) },
    );
  }
  for (const c of contenders) await (c.sync ? c.sync() : c.async()); // every contender accepts the token

  const samples = new Map(contenders.map((c) => [c, []]));
  for (const c of contenders) await runFor(c, 100); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) samples.get(c).push(await runFor(c, ROUND_MS));
  }
  const best = (c) => Math.min(...samples.get(c));
  const floorNs = best(contenders[0]);
  const floorMedian = median(samples.get(contenders[0]));
  console.log(`\n${alg} verify (${ROUNDS} interleaved rounds of ${ROUND_MS} ms; ratio to the floor)`);
  console.log('| contender | best ns/op | × floor (best) | median ns/op | × floor (median) | target |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const c of contenders) {
    const ratio = best(c) / floorNs;
    const verdict = c.target === undefined ? '' : `≤ ${c.target}× ${ratio <= c.target ? 'met' : 'MISSED'}`;
    const med = median(samples.get(c));
    console.log(`| ${c.name} | ${best(c).toFixed(0)} | ${ratio.toFixed(2)} | ${med.toFixed(0)} | ${(med / floorMedian).toFixed(2)} | ${verdict} |`);
  }
}

server.closeAllConnections();
server.close();
await stores?.close();
