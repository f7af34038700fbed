import { readFile, rm } from 'node:fs/promises';
import { loadToken } from './load-token.js';
import { cacheSimulation, countUnderCallgrind, requireValgrind } from './callgrind.js';
import { CASES, NOOP_BASES, bareOf, type Case } from './shared.js';

/**
 * Instructions per request, counted by valgrind's callgrind in the server
 * process (every thread: the JIT's and the GC's helpers too). A count does
 * not depend on what else the machine does, so on a shared machine it
 * tells a change of a few per cent where CPU time per request cannot
 * (bench/adapters.md, "Instructions per request"). It is not time: a cache
 * miss costs no instruction. Read beside the paired CPU figures.
 *
 * Each case's server runs under callgrind; WARMUP_REQUESTS (default 20000:
 * V8 is still optimizing a server's code before that) are sent over four
 * connections in turn (so that the connections' closing and the recompiling
 * it causes are behind the count: warm-up.ts), the counters are zeroed
 * (`callgrind_control --zero`), then REQUESTS (default 4000) more, one at a
 * time (one request per event-loop turn on every case, so no case batches
 * more than another), and the counters are dumped. PARALLEL (default 2) servers at once: each runs on
 * one core under valgrind, and the counts do not depend on the wall clock.
 * The table says how many of a case's instructions ran on threads other
 * than the main one: more than a few per cent there is V8 still compiling
 * (under valgrind the threads take turns, so compiling finishes later in
 * requests than it does natively) or its collector's helpers at work (Express
 * allocates enough for that): a longer warm-up tells which.
 * With CACHE_SIM=<KiB>, callgrind also simulates the caches (32 KiB
 * first-level instruction and data caches, a last level of that many KiB)
 * and the table gains the last-level misses per request: the memory a
 * request's code and data occupy that was not kept since the previous
 * request. It stands in for what CPU time sees and instructions do not on a
 * machine whose cores are shared with the load generator and other servers
 * (a small last level, e.g. 256, for a core the other processes empty
 * between two requests). Slower, about twice.
 *   ONLY (comma-separated case names, peers included; default: each
 *   framework's bare, no-op and apojwt cases and the hand-written minimal
 *   checks (Nest's guard, Fastify's hook), about 45 minutes), WARMUP_REQUESTS,
 *   REQUESTS, PARALLEL
 */
const warmupRequests = Number(process.env['WARMUP_REQUESTS'] ?? 20_000);
const requests = Number(process.env['REQUESTS'] ?? 4_000);
const parallel = Number(process.env['PARALLEL'] ?? 2);
const cacheKiB = process.env['CACHE_SIM'] === undefined ? undefined : Number(process.env['CACHE_SIM']);
const cacheOptions = cacheSimulation(cacheKiB);
const DEFAULT_CASES: readonly Case[] = [
  'express-bare',
  'express-noop',
  'express-apojwt',
  'koa-bare',
  'koa-apojwt',
  'fastify-bare',
  'fastify-noop',
  'fastify-apojwt',
  'fastify-apojwt-decorator-unscoped',
  'fastify-minimal-hook',
  'nest-bare',
  'nest-noop-guard',
  'nest-minimal-guard',
  'nest-apojwt',
];
const chosen = process.env['ONLY']?.split(',') ?? DEFAULT_CASES;
for (const name of chosen) if (!CASES.includes(name as Case)) throw new Error(`ONLY: unknown case ${name}`);

await requireValgrind('bench:adapters:instructions');
const token = loadToken();

/**
 * Per request: instructions (every thread), the share of threads other than
 * the main one (V8's compiler and GC helpers), and with CACHE_SIM the
 * last-level misses (instruction fetches, data reads and writes).
 */
interface Counts {
  instructions: number;
  otherThreads: number;
  lastLevelMisses: number | undefined;
}

/** One thread's dump: its totals by event name. */
function dumpTotals(which: Case, text: string): (event: string) => number {
  const events = /^events: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/);
  const totals = /^(?:summary|totals): (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (events === undefined || totals === undefined) throw new Error(`${which}: no totals in the callgrind dump`);
  return (event) => totals[events.indexOf(event)] ?? 0;
}

async function countsPerRequest(which: Case): Promise<Counts> {
  const run = await countUnderCallgrind(which, { token, warmupRequests, requests, valgrindOptions: cacheOptions });
  try {
    const threads = await Promise.all(run.dumps.map(async (dump) => ({ main: dump.main, total: dumpTotals(which, await readFile(dump.file, 'utf8')) })));
    const sum = (event: string, main?: boolean) => threads.reduce((n, t) => n + (main === undefined || t.main === main ? t.total(event) : 0), 0);
    return {
      instructions: sum('Ir') / requests,
      otherThreads: sum('Ir', false) / requests,
      lastLevelMisses: cacheKiB === undefined ? undefined : (sum('ILmr') + sum('DLmr') + sum('DLmw')) / requests,
    };
  } finally {
    await rm(run.dir, { recursive: true, force: true });
  }
}

const measured = new Map<Case, Counts>();
const queue = [...(chosen as Case[])];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let which = queue.shift(); which !== undefined; which = queue.shift()) {
      const found = await countsPerRequest(which);
      measured.set(which, found);
      const misses = found.lastLevelMisses === undefined ? '' : `, ${Math.round(found.lastLevelMisses)} last-level misses`;
      console.error(`${which}: ${Math.round(found.instructions)} instructions per request (${Math.round(found.otherThreads)} on other threads)${misses}`);
    }
  }),
);

// The no-op layer of the same shape (shared.ts): only for the cases mounted that way.
const noopOf = (which: Case): Case | undefined => NOOP_BASES.find(([check, noop]) => check === which && measured.has(noop))?.[1];
const simulated = cacheKiB === undefined ? '' : `, caches simulated (last level ${cacheKiB} KiB)`;
console.log(`\ninstructions per request under callgrind, ${requests} requests one at a time after ${warmupRequests} of warm-up${simulated}, Node ${process.version}\n`);
const missColumns = cacheKiB === undefined ? [] : ['last-level misses per request', 'misses above bare'];
console.log(`| ${['case', 'instructions per request', 'of which other threads', 'bare ÷ case', 'above bare', 'above the no-op layer', ...missColumns].join(' | ')} |`);
console.log(`|---|${'---:|'.repeat(5 + missColumns.length)}`);
for (const which of chosen as Case[]) {
  const count = measured.get(which)!;
  const bare = which === bareOf(which) ? undefined : measured.get(bareOf(which));
  const noop = noopOf(which);
  const cells = [
    which,
    Math.round(count.instructions).toLocaleString('en-US'),
    Math.round(count.otherThreads).toLocaleString('en-US'),
    bare === undefined ? '' : `${(bare.instructions / count.instructions).toFixed(3)}×`,
    bare === undefined ? '' : Math.round(count.instructions - bare.instructions).toLocaleString('en-US'),
    noop === undefined ? '' : Math.round(count.instructions - measured.get(noop)!.instructions).toLocaleString('en-US'),
  ];
  if (count.lastLevelMisses !== undefined) {
    cells.push(Math.round(count.lastLevelMisses).toLocaleString('en-US'));
    cells.push(bare?.lastLevelMisses === undefined ? '' : Math.round(count.lastLevelMisses - bare.lastLevelMisses).toLocaleString('en-US'));
  }
  console.log(`| ${cells.join(' | ')} |`);
}
const stillCompiling = (chosen as Case[]).filter((which) => measured.get(which)!.otherThreads > 0.02 * measured.get(which)!.instructions);
if (stillCompiling.length > 0) {
  console.log(`\nMore than 2 % on other threads (V8 still compiling, or its collector's helpers): ${stillCompiling.join(', ')}. A longer WARMUP_REQUESTS tells which.`);
}
