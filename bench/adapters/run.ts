import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ApoJwt } from '@apojwt/express';
import { AUDIENCE, CASES, ISSUER, PERMISSION, SECRET, type Case } from './shared.js';

/**
 * Starts each case's server in its own process, loads it with autocannon
 * from this process (127.0.0.1, bounded duration), and prints requests per
 * second and the ratio to the bare framework of the same run.
 * Cases are interleaved over ROUNDS rounds and each case's median is kept,
 * so a slow moment of a shared machine does not land on one case only.
 *   DURATION (s, default 5), ROUNDS (default 3), CONNECTIONS (default 50),
 *   WARMUP (s, default 1), ONLY (case prefix: express | koa)
 */
const duration = Number(process.env['DURATION'] ?? 5);
const connections = Number(process.env['CONNECTIONS'] ?? 50);
const warmup = Number(process.env['WARMUP'] ?? 1);
const rounds = Number(process.env['ROUNDS'] ?? 3);
const serverScript = fileURLToPath(new URL('./server.js', import.meta.url));

// One token for every case: HS256, with iss, aud and the permission (apojwt's `perms` claim).
const token = new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE, expPeriod: 3600 }).createToken({
  sub: 'bench-user',
  permissions: [PERMISSION],
});

async function measure(which: Case): Promise<number> {
  const child = spawn(process.execPath, [serverScript, which], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { port } = JSON.parse(line) as { port: number };
  const target = { url: `http://127.0.0.1:${port}/orders`, connections, headers: { authorization: `Bearer ${token}` } };
  try {
    if (warmup > 0) await autocannon({ ...target, duration: warmup });
    const result = await autocannon({ ...target, duration });
    const ok = result['2xx'];
    if (result.non2xx > 0 || result.errors > 0 || ok === 0) throw new Error(`${which}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

// ONLY=koa runs the Koa cases alone.
const only = process.env['ONLY'];
const selected = CASES.filter((c) => only === undefined || c.startsWith(only));
const samples = new Map<Case, number[]>(selected.map((c) => [c, []]));
for (let round = 1; round <= rounds; round++) {
  for (const which of selected) {
    const value = await measure(which);
    samples.get(which)?.push(value);
    console.error(`round ${round} ${which}: ${Math.round(value)} req/s`);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const results = new Map<Case, number>(selected.map((c) => [c, median(samples.get(c) ?? [])]));
console.log(`\nautocannon: ${connections} connections, ${duration} s per case (after ${warmup} s warm-up), median of ${rounds} interleaved rounds, Node ${process.version}\n`);
console.log('| case | req/s | ratio to bare |');
console.log('|---|---:|---:|');
for (const which of selected) {
  const bare = results.get(which.startsWith('express') ? 'express-bare' : 'koa-bare') as number;
  const value = results.get(which) as number;
  console.log(`| ${which} | ${Math.round(value)} | ${(value / bare).toFixed(2)}× |`);
}
