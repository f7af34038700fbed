import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadToken } from './load-token.js';
import { CASES, bareOf, frameworkOf, selectCases, serverScriptOf, type Case, type Framework } from './shared.js';
import { median, span } from './stats.js';
import { warmupLoads } from './warm-up.js';

/**
 * The paired measurement: a case and its bare framework run at the same
 * time, each in its own process, each loaded by its own autocannon at the
 * same fixed request rate. Both see the same machine (a shared machine's
 * load drifts by tens of per cent within a minute) and the same arrival rate
 * (a server's CPU per request depends on how many requests each event-loop
 * turn batches), so their CPU time per request compares directly. Which of
 * the two starts first alternates by round.
 *
 * Each server first serves WARMUP_REQUESTS as fast as it can, unmeasured:
 * V8 goes on optimizing a server's code for its first 15-20 thousand
 * requests (`--trace-opt` on Express shows new optimizations until about
 * 20,000), and that compiling is CPU the process spends while it serves.
 * Measured before it settles, a case with more code (any check) is charged
 * for compiling it as if every request cost that much more: under callgrind,
 * after 600 requests Express + apojwt spent 85,000 more instructions per
 * request than bare Express, after 20,000 requests 19,000 (bench/adapters.md,
 * "The warm-up pass"). It is served in two loads, the second on fresh
 * connections, so that the first connections' closing (new maps in Node's
 * stream and HTTP code, and the recompiling that follows) is behind the
 * measurement too (warm-up.ts). The old default warm-up, one second, was 4,000-12,000.
 *   ROUNDS (default 8), DURATION (s, default 4), WARMUP_REQUESTS (default 25000),
 *   CONNECTIONS (per server, default 20), ONLY (case prefixes, comma-separated;
 *   `case@base` pairs a case with another case instead of its bare framework,
 *   e.g. express-apojwt@express-noop; `case@before:case` pairs it with the
 *   same case of another build, under BEFORE_DIST),
 *   EXPRESS_RATE / KOA_RATE / NEST_RATE / FASTIFY_RATE (requests per second per
 *   server, default 2000 / 4000 / 1500 / 4000: under what one core serves, so
 *   neither server saturates)
 */
const rounds = Number(process.env['ROUNDS'] ?? 8);
const duration = Number(process.env['DURATION'] ?? 4);
const warmupRequests = Number(process.env['WARMUP_REQUESTS'] ?? 25_000);
const connections = Number(process.env['CONNECTIONS'] ?? 20);
const rates: Record<Framework, number> = {
  express: Number(process.env['EXPRESS_RATE'] ?? 2000),
  koa: Number(process.env['KOA_RATE'] ?? 4000),
  nest: Number(process.env['NEST_RATE'] ?? 1500),
  fastify: Number(process.env['FASTIFY_RATE'] ?? 4000),
};

const token = loadToken();

interface Server {
  child: ChildProcess;
  next(): Promise<string>;
  url: string;
}

/**
 * `before:<case>` is the case as another build serves it: the same script
 * under BEFORE_DIST (that build's bench/dist/adapters folder), so a change
 * is measured against the code it replaces, in the same run.
 */
const BEFORE = 'before:';
type Side = Case | `${typeof BEFORE}${Case}`;
const caseOf = (side: Side): Case => (side.startsWith(BEFORE) ? (side.slice(BEFORE.length) as Case) : (side as Case));

function scriptOf(side: Side): string {
  const script = serverScriptOf(caseOf(side));
  if (!side.startsWith(BEFORE)) return fileURLToPath(new URL(script, import.meta.url));
  const dir = process.env['BEFORE_DIST'];
  if (dir === undefined) throw new Error(`${side}: set BEFORE_DIST to the other build's bench/dist/adapters folder`);
  return fileURLToPath(new URL(script, `file://${dir.endsWith('/') ? dir : `${dir}/`}`));
}

async function start(which: Side): Promise<Server> {
  const child = spawn(process.execPath, [scriptOf(which), caseOf(which)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async () => (await lines.next()).value as string;
  const { port } = JSON.parse(await next()) as { port: number };
  return { child, next, url: `http://127.0.0.1:${port}/orders` };
}

/** `seconds` at a fixed `rate`, or `amount` requests as fast as the server answers. */
async function load(server: Server, how: { seconds: number; rate: number } | { amount: number }): Promise<void> {
  const result = await autocannon({
    url: server.url,
    connections,
    headers: { authorization: `Bearer ${token}` },
    ...('amount' in how ? { amount: how.amount } : { duration: how.seconds, overallRate: how.rate }),
  });
  if (result.non2xx > 0 || result.errors > 0 || result['2xx'] === 0) throw new Error(`${server.url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
}

/** One round: both servers up, both loaded at once; returns CPU µs per request of each. */
async function round(base: Side, which: Side, baseFirst: boolean): Promise<[number, number]> {
  const order: [Side, Side] = baseFirst ? [base, which] : [which, base];
  const servers = await Promise.all(order.map(start));
  try {
    const rate = rates[frameworkOf(caseOf(base))];
    for (const amount of warmupLoads(warmupRequests, 2)) await Promise.all(servers.map((s) => load(s, { amount })));
    for (const s of servers) s.child.kill('SIGUSR2');
    await Promise.all(servers.map((s) => load(s, { seconds: duration, rate })));
    for (const s of servers) s.child.kill('SIGUSR1');
    const usage = await Promise.all(servers.map(async (s) => JSON.parse(await s.next()) as { requests: number; cpuMicros: number }));
    const perRequest = usage.map((u) => u.cpuMicros / u.requests) as [number, number];
    return baseFirst ? perRequest : [perRequest[1], perRequest[0]];
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await once(s.child, 'exit');
    }
  }
}

/** [case, base] pairs: every selected case that is not bare, against its bare framework, or `case@base` as written. */
function pairsFrom(only: string | undefined): [Side, Side][] {
  const pairs: [Side, Side][] = [];
  for (const entry of only === undefined ? [undefined] : only.split(',')) {
    const [which, base] = entry?.split('@') ?? [];
    if (base !== undefined) {
      if (!CASES.includes(caseOf(which as Side)) || !CASES.includes(caseOf(base as Side))) throw new Error(`ONLY: unknown case in ${entry}`);
      pairs.push([which as Side, base as Side]);
    } else {
      for (const c of selectCases(which)) if (!c.endsWith('-bare')) pairs.push([c, bareOf(c)]);
    }
  }
  return pairs;
}

const rows: string[] = [];
for (const [which, base] of pairsFrom(process.env['ONLY'])) {
  const ratios: number[] = [];
  const above: number[] = [];
  const cpu: number[] = [];
  const baseCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const [b, c] = await round(base, which, r % 2 === 0);
    baseCpu.push(b);
    cpu.push(c);
    ratios.push(b / c);
    above.push(c - b);
    console.error(`${which} vs ${base} round ${r + 1}: ${base} ${b.toFixed(1)} µs, ${which} ${c.toFixed(1)} µs CPU/request, ratio ${(b / c).toFixed(3)}`);
  }
  const cells = [
    which,
    base,
    rates[frameworkOf(caseOf(base))],
    median(baseCpu).toFixed(1),
    median(cpu).toFixed(1),
    `${median(ratios).toFixed(2)}×`,
    span(ratios, 2),
    median(above).toFixed(1),
    span(above, 1),
  ];
  rows.push(`| ${cells.join(' | ')} |`);
}
console.log(
  `\npaired: case and base at once, same fixed rate, ${connections} connections each, ${duration} s (after ${warmupRequests} requests of warm-up), ${rounds} rounds, Node ${process.version}\n`,
);
console.log(
  '| case | base | req/s each | base CPU µs/request (median) | case CPU µs/request (median) | ratio base ÷ case (median) | range over rounds | CPU µs/request above base (median) | range |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
