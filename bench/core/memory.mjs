// One million distinct tokens through verify (default cache, 10 000 entries):
// memory must stay within the cache bound, not grow with the token count.
// Tokens are made on the fly (never all held at once) with fresh jtis.
// Run with --expose-gc so heap figures are after a full collection.
import { ApoJwt } from '@apojwt/core';

const TOTAL = Number(process.env.TOKENS ?? 1_000_000);
const SECRET = 'bench-secret-bench-secret-bench-secret!';
const apo = new ApoJwt({ secret: SECRET, iss: 'https://auth.example.test', serverAudience: 'orders-service', expPeriod: 3600 });
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const gc = globalThis.gc ?? (() => {});

function snapshot(label, done) {
  gc();
  const m = process.memoryUsage();
  // The cache is private; read its size for the report only.
  const size = apo['cache']?.size;
  console.log(`| ${label} | ${done.toLocaleString('en')} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${size} |`);
}

console.log(`${TOTAL.toLocaleString('en')} distinct HS256 tokens through verify, cache max 10 000, Node ${process.version}`);
console.log('| point | tokens verified | RSS | heap used (after gc) | cache entries |');
console.log('|---|---:|---:|---:|---:|');
snapshot('before', 0);
const start = process.hrtime.bigint();
const marks = new Set([10_000, 100_000, 250_000, 500_000, 750_000]);
for (let i = 1; i <= TOTAL; i++) {
  const token = apo.createToken({ sub: `user-${i}`, permissions: ['orders:read'], data: { n: i } });
  await apo.verify(token);
  if (marks.has(i)) snapshot('during', i);
}
snapshot('after', TOTAL);
console.log(`(${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s, createToken + verify per token)`);
