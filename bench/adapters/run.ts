import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { loadToken } from './load-token.js';
import { NOOP_BASES, bareOf, selectCases, serverScriptOf, type Case } from './shared.js';
import { median, span } from './stats.js';
import { warmupLoads } from './warm-up.js';

/**
 * Starts each case's server in its own process, loads it with autocannon
 * from this process (127.0.0.1, bounded duration), and prints requests per
 * second and the ratio to the bare framework of the same run.
 * Cases are interleaved over ROUNDS rounds (order reversed every other
 * round) and each case's median is kept, so a slow moment of a shared
 * machine does not land on one case only.
 * Each server first serves WARMUP_REQUESTS unmeasured: V8 goes on
 * optimizing a server's code for its first 15-20 thousand requests, and
 * that compiling would be charged to the measured ones (paired.ts); in two
 * loads, so the first connections' closing is behind it too (warm-up.ts).
 *   DURATION (s, default 5), ROUNDS (default 3), CONNECTIONS (default 50),
 *   WARMUP_REQUESTS (default 25000), ONLY (case prefixes, comma-separated: express | koa | nest | fastify | koa-bare,koa-apojwt)
 */
const duration = Number(process.env['DURATION'] ?? 5);
const connections = Number(process.env['CONNECTIONS'] ?? 50);
const warmupRequests = Number(process.env['WARMUP_REQUESTS'] ?? 25_000);
const rounds = Number(process.env['ROUNDS'] ?? 3);

const token = loadToken();

interface Sample {
  /** Requests per second seen by autocannon. */
  rps: number;
  /** Server CPU time (user + system) per request, in microseconds. */
  cpuPerRequest: number;
}

async function measure(which: Case): Promise<Sample> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(serverScriptOf(which), import.meta.url)), which], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
  const target = { url: `http://127.0.0.1:${port}/orders`, connections, headers: { authorization: `Bearer ${token}` } };
  try {
    for (const amount of warmupLoads(warmupRequests, 2)) await autocannon({ ...target, amount });
    child.kill('SIGUSR2');
    const result = await autocannon({ ...target, duration });
    child.kill('SIGUSR1');
    const usage = JSON.parse((await lines.next()).value as string) as { requests: number; cpuMicros: number };
    const ok = result['2xx'];
    if (result.non2xx > 0 || result.errors > 0 || ok === 0) throw new Error(`${which}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, cpuPerRequest: usage.cpuMicros / usage.requests };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

// ONLY=koa runs the Koa cases alone; ONLY=koa-apojwt that case and koa-bare (comma-separated
// prefixes; the bare framework of every selected case is always run, the ratios need it).
const chosen = selectCases(process.env['ONLY']);
const selected = selectCases(undefined).filter((c) => chosen.includes(c) || chosen.some((x) => bareOf(x) === c));
const samples = new Map<Case, Sample[]>(selected.map((c) => [c, []]));
for (let round = 1; round <= rounds; round++) {
  // Every other round runs the cases in reverse order, so no case always
  // runs first (or right after a heavy peer) on a machine whose load drifts.
  for (const which of round % 2 === 1 ? selected : [...selected].reverse()) {
    const sample = await measure(which);
    samples.get(which)?.push(sample);
    console.error(`round ${round} ${which}: ${Math.round(sample.rps)} req/s, ${sample.cpuPerRequest.toFixed(1)} µs CPU/request`);
  }
}
/** Per round, against another case's run of the same round (the median over rounds is reported, and the range). */
const perRound = (which: Case, base: Case, pick: (s: Sample, base: Sample) => number) => (samples.get(which) ?? []).map((s, i) => pick(s, (samples.get(base) ?? [])[i] as Sample));
console.log(
  `\nautocannon: ${connections} connections, ${duration} s per case (after ${warmupRequests} requests of warm-up), median of ${rounds} interleaved rounds, Node ${process.version}\n`,
);
console.log('| case | req/s (median) | req/s ratio to bare | server CPU µs/request (median) | CPU ratio (bare ÷ case) | CPU ratio range over rounds | CPU µs/request above bare (median) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const which of selected) {
  const list = samples.get(which) ?? [];
  const rps = median(list.map((s) => s.rps));
  const cpu = median(list.map((s) => s.cpuPerRequest));
  const rpsRatio = median(perRound(which, bareOf(which), (s, bare) => s.rps / bare.rps));
  const cpuRatios = perRound(which, bareOf(which), (s, bare) => bare.cpuPerRequest / s.cpuPerRequest);
  const above = median(perRound(which, bareOf(which), (s, bare) => s.cpuPerRequest - bare.cpuPerRequest));
  console.log(`| ${which} | ${Math.round(rps)} | ${rpsRatio.toFixed(2)}× | ${cpu.toFixed(1)} | ${median(cpuRatios).toFixed(2)}× | ${span(cpuRatios, 2)} | ${above.toFixed(1)} |`);
}
console.log('');
// Each apojwt case against a layer of the same shape that does nothing (shared.ts).
for (const [which, base] of NOOP_BASES) {
  if (!samples.has(which) || !samples.has(base)) continue;
  const above = perRound(which, base, (s, noop) => s.cpuPerRequest - noop.cpuPerRequest);
  console.log(`${which} above ${base}: ${median(above).toFixed(1)} µs CPU/request (median of rounds; range ${span(above, 1)})`);
}
