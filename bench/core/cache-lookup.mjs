// The verified cache's two lookups, in process: `get` with a token sliced out
// of its header (as a custom finder hands it over) and `getByHeader` with the
// header as sent, a fresh string per call as an HTTP parser makes one.
// BEFORE_ROOT=<another checkout, built> runs that build's cache in the same
// process, alternating rounds, and reports after ÷ before.
//   TOKENS (default 50), CALLS (per round, default 2 000 000), ROUNDS (default 8)
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const tokens = Number(process.env.TOKENS ?? 50);
const calls = Number(process.env.CALLS ?? 2_000_000);
const rounds = Number(process.env.ROUNDS ?? 8);
const here = resolve(new URL('../..', import.meta.url).pathname);
const roots = { after: here, ...(process.env.BEFORE_ROOT ? { before: resolve(process.env.BEFORE_ROOT) } : {}) };

// Token-shaped strings: three base64url parts, a 43-character signature.
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const part = (n, seed) => Array.from({ length: n }, (_, i) => alphabet[(seed * 7919 + i * 104729) % 64]).join('');
const list = Array.from({ length: tokens }, (_, i) => `${part(36, i + 1)}.${part(220, i + 3)}.${part(43, i * 13 + 5)}`);
const exp = Math.floor(Date.now() / 1000) + 3600;
const now = Math.floor(Date.now() / 1000);

async function cacheOf(root) {
  const { VerifiedTokenCache } = await import(pathToFileURL(`${root}/packages/core/dist/verified-cache.js`).href);
  const cache = new VerifiedTokenCache(10_000, {});
  for (const token of list) cache.set(token, { exp, perms: ['orders:read'] }, undefined, `Bearer ${token}`);
  return cache;
}

/** Fresh strings per call, made before the clock starts. */
function freshHeaders(n) {
  return Array.from({ length: n }, (_, i) => Buffer.from(`Bearer ${list[i % tokens]}`).toString('latin1'));
}

const caches = Object.fromEntries(await Promise.all(Object.entries(roots).map(async ([name, root]) => [name, await cacheOf(root)])));
const batch = 100_000;
const headers = freshHeaders(batch);
const results = Object.fromEntries(Object.keys(caches).map((name) => [name, { get: [], getByHeader: [] }]));
let sink = 0;

function time(cache, lookup) {
  const started = process.hrtime.bigint();
  for (let done = 0; done < calls; done += batch) {
    for (let i = 0; i < batch; i++) {
      const header = headers[i];
      const hit = lookup === 'get' ? cache.get(header.slice(7), now, 0) : cache.getByHeader(header, now, 0);
      if (hit !== undefined) sink++;
    }
  }
  return Number(process.hrtime.bigint() - started) / calls;
}

for (let round = 0; round < rounds + 1; round++) {
  const order = round % 2 === 0 ? Object.keys(caches) : Object.keys(caches).reverse();
  for (const name of order) {
    for (const lookup of ['get', 'getByHeader']) {
      const ns = time(caches[name], lookup);
      if (round > 0) results[name][lookup].push(ns); // round 0 warms up
    }
  }
}
if (sink === 0) throw new Error('no hit: the cache under test did not answer');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`verified cache, ${tokens} tokens, ${calls} calls per round, ${rounds} rounds, Node ${process.version}`);
console.log('| build | get(token sliced from its header), ns | getByHeader(header as sent), ns |');
console.log('|---|---:|---:|');
for (const name of Object.keys(caches)) console.log(`| ${name} | ${median(results[name].get).toFixed(1)} | ${median(results[name].getByHeader).toFixed(1)} |`);
if (caches.before) {
  const ratio = (lookup) => (median(results.after[lookup]) / median(results.before[lookup])).toFixed(2);
  console.log(`after ÷ before: get ${ratio('get')}×, getByHeader ${ratio('getByHeader')}×`);
}
