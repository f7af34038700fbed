import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ApoJwt } from '@apojwt/express';
import { AUDIENCE, CASES, ISSUER, PERMISSION, SECRET, type Case } from './shared.js';

/**
 * The paired measurement: a case and its bare framework run at the same
 * time, each in its own process, each loaded by its own autocannon at the
 * same fixed request rate. Both see the same machine (a shared machine's
 * load drifts by tens of per cent within a minute) and the same arrival rate
 * (a server's CPU per request depends on how many requests each event-loop
 * turn batches), so their CPU time per request compares directly. Which of
 * the two starts first alternates by round.
 *   ROUNDS (default 8), DURATION (s, default 4), WARMUP (s, default 1),
 *   CONNECTIONS (per server, default 20), ONLY (case prefixes, comma-separated),
 *   EXPRESS_RATE / KOA_RATE (requests per second per server, default 2000 / 4000:
 *   under what one core serves, so neither server saturates)
 */
const rounds = Number(process.env['ROUNDS'] ?? 8);
const duration = Number(process.env['DURATION'] ?? 4);
const warmup = Number(process.env['WARMUP'] ?? 1);
const connections = Number(process.env['CONNECTIONS'] ?? 20);
const rates = { express: Number(process.env['EXPRESS_RATE'] ?? 2000), koa: Number(process.env['KOA_RATE'] ?? 4000) };
const serverScript = fileURLToPath(new URL('./server.js', import.meta.url));

const token = new ApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE, expPeriod: 3600 }).createToken({
  sub: 'bench-user',
  permissions: [PERMISSION],
});

interface Server {
  child: ChildProcess;
  next(): Promise<string>;
  url: string;
}

async function start(which: Case): Promise<Server> {
  const child = spawn(process.execPath, [serverScript, which], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string;
  const { port } = JSON.parse(await next()) as { port: number };
  return { child, next, url: `http://127.0.0.1:${port}/orders` };
}

async function load(server: Server, seconds: number, rate: number | undefined): Promise<void> {
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
  if (result.non2xx > 0 || result.errors > 0 || result['2xx'] === 0) throw new Error(`${server.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** One round: both servers up, both loaded at once; returns CPU µs per request of each. */
async function round(bare: Case, which: Case, bareFirst: boolean): Promise<[number, number]> {
  const order: [Case, Case] = bareFirst ? [bare, which] : [which, bare];
  const servers = await Promise.all(order.map(start));
  try {
    const rate = rates[bare.startsWith('express') ? 'express' : 'koa'];
    if (warmup > 0) await Promise.all(servers.map((s) => load(s, warmup, undefined)));
    for (const s of servers) s.child.kill('SIGUSR2');
    await Promise.all(servers.map((s) => load(s, duration, rate)));
    for (const s of servers) s.child.kill('SIGUSR1');
    const usage = await Promise.all(servers.map(async (s) => JSON.parse(await s.next()) as { requests: number; cpuMicros: number }));
    const perRequest = usage.map((u) => u.cpuMicros / u.requests) as [number, number];
    return bareFirst ? perRequest : [perRequest[1], perRequest[0]];
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await once(s.child, 'exit');
    }
  }
}

const only = process.env['ONLY']?.split(',');
const pairs = CASES.filter((c) => !c.endsWith('-bare') && (only === undefined || only.some((prefix) => c.startsWith(prefix))));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const rows: string[] = [];
for (const which of pairs) {
  const bare: Case = which.startsWith('express') ? 'express-bare' : 'koa-bare';
  const ratios: number[] = [];
  const cpu: number[] = [];
  const bareCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [b, c] = await round(bare, which, r % 2 === 0);
    bareCpu.push(b);
    cpu.push(c);
    ratios.push(b / c);
    console.error(`${which} round ${r + 1}: bare ${b.toFixed(1)} µs, case ${c.toFixed(1)} µs CPU/request, ratio ${(b / c).toFixed(3)}`);
  }
  const rate = rates[bare.startsWith('express') ? 'express' : 'koa'];
  rows.push(
    `| ${which} | ${rate} | ${median(bareCpu).toFixed(1)} | ${median(cpu).toFixed(1)} | ${median(ratios).toFixed(2)}× | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |`,
  );
}
console.log(`\npaired: case and bare at once, same fixed rate, ${connections} connections each, ${duration} s (after ${warmup} s warm-up), ${rounds} rounds, Node ${process.version}\n`);
console.log('| case | req/s each | bare CPU µs/request (median) | case CPU µs/request (median) | ratio bare ÷ case (median) | range over rounds |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
