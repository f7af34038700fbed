import { readFile, rm } from 'node:fs/promises';
import { loadToken } from './load-token.js';
import { cacheSimulation, countUnderCallgrind, requireValgrind } from './callgrind.js';
import { CASES, type Case } from './shared.js';

/**
 * Where a case's instructions go, function by function, beside a base case:
 * each server runs under callgrind as in bench:adapters:instructions (the
 * same warm-up, then REQUESTS counted one at a time), with
 * `node --perf-basic-prof` so that the JIT's code addresses in the dump can be
 * named from V8's map file (`/tmp/perf-<pid>.map`). Self cost per request on
 * the main thread, where the requests run; with CACHE_SIM also the
 * last-level misses. Then, for every other case, the functions whose count
 * differs most from the base's.
 *
 * Read the differences with care: V8 inlines differently from one process
 * to the next, so a function of Node's or the framework's can move its
 * instructions into a caller (a pair of equal and opposite lines), and the
 * totals of two identical servers differ by up to 3 % (bench/adapters.md).
 *   ONLY (case names, comma-separated; the first is the base; default
 *   fastify-bare,fastify-floor-hook,fastify-apojwt-decorator-unscoped), TOP
 *   (rows, default 30), CACHE_SIM, WARMUP_REQUESTS, REQUESTS, PARALLEL,
 *   CALLERS (names, comma-separated: the callers of each such function in
 *   every case but the base, with calls and inclusive instructions per
 *   request)
 */
const warmupRequests = Number(process.env['WARMUP_REQUESTS'] ?? 20_000);
const requests = Number(process.env['REQUESTS'] ?? 4_000);
const parallel = Number(process.env['PARALLEL'] ?? 2);
const top = Number(process.env['TOP'] ?? 30);
const cacheKiB = process.env['CACHE_SIM'] === undefined ? undefined : Number(process.env['CACHE_SIM']);
const cacheOptions = cacheSimulation(cacheKiB);
const chosen = (process.env['ONLY'] ?? 'fastify-bare,fastify-floor-hook,fastify-apojwt-decorator-unscoped').split(',');
for (const name of chosen) if (!CASES.includes(name as Case)) throw new Error(`ONLY: unknown case ${name}`);
if (chosen.length < 2) throw new Error('ONLY: a base case and at least one more');

await requireValgrind('bench:adapters:per-function');
const token = loadToken();

/** Per function: instructions and last-level misses per request. */
type Profile = Map<string, { instructions: number; misses: number }>;
/** Per callee, per caller: calls and the callee's inclusive instructions, per request. */
type Callers = Map<string, Map<string, { calls: number; instructions: number }>>;

interface MappedCode {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  /** Line in the map file: V8 reuses addresses for new code, and the later entry is the live one. */
  readonly order: number;
}

/** V8's perf map: `<start hex> <size hex> <name>` per line. */
function symbolTable(text: string): (address: number) => string | undefined {
  const symbols: MappedCode[] = [];
  text.split('\n').forEach((line, order) => {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (match === null) return;
    const start = parseInt(match[1] as string, 16);
    symbols.push({ start, end: start + parseInt(match[2] as string, 16), name: match[3] as string, order });
  });
  symbols.sort((a, b) => a.start - b.start);
  const longest = symbols.reduce((n, s) => Math.max(n, s.end - s.start), 0);
  return (address) => {
    let low = 0;
    let high = symbols.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((symbols[mid] as MappedCode).start <= address) low = mid + 1;
      else high = mid;
    }
    let found: MappedCode | undefined;
    for (let i = low - 1; i >= 0 && (symbols[i] as MappedCode).start > address - longest; i--) {
      const s = symbols[i] as MappedCode;
      if (address < s.end && (found === undefined || s.order > found.order)) found = s;
    }
    return found?.name;
  };
}

/**
 * Self cost per function from a callgrind dump: every cost line counts for
 * the function it sits under, except the line after a `calls=` line (the
 * callee's inclusive cost). Names are compressed as `(id) name` on first
 * use; JIT code appears as its address.
 */
function selfCosts(dump: string, name: (address: number) => string | undefined): { profile: Profile; callers: Callers } {
  const events = /^events: (.+)$/m.exec(dump)?.[1]?.trim().split(/\s+/) ?? [];
  const at = (event: string) => events.indexOf(event);
  const [ir, ilmr, dlmr, dlmw] = [at('Ir'), at('ILmr'), at('DLmr'), at('DLmw')];
  const names = new Map<string, string>();
  const costs = new Map<string, number[]>();
  const edges = new Map<string, { calls: number; instructions: number }>();
  let current: string | undefined;
  let callee: string | undefined;
  let calls = 0;
  let callCost = false;
  for (const line of dump.split('\n')) {
    const fn = /^(c?)fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (fn !== null) {
      if (fn[3] !== undefined) names.set(fn[2] as string, fn[3]);
      if (fn[1] === '') {
        current = fn[2];
        callCost = false;
      } else callee = fn[2];
      continue;
    }
    if (line.startsWith('calls=')) {
      callCost = true;
      calls = Number(line.slice('calls='.length).split(/\s+/)[0]);
      continue;
    }
    if (current === undefined || !/^[0-9+\-*]/.test(line)) continue;
    if (callCost) {
      callCost = false;
      const key = `${current} ${callee}`;
      const edge = edges.get(key) ?? { calls: 0, instructions: 0 };
      edge.calls += calls;
      edge.instructions += Number(line.trim().split(/\s+/)[1 + ir] ?? 0);
      edges.set(key, edge);
      continue;
    }
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const sum = costs.get(current) ?? new Array<number>(events.length).fill(0);
    values.forEach((v, i) => (sum[i] = (sum[i] as number) + v));
    costs.set(current, sum);
  }
  const labelOf = (id: string) => {
    const raw = names.get(id) ?? id;
    const address = /^0x([0-9a-f]+)$/i.exec(raw);
    // Addresses differ between processes: the name alone lets two profiles be compared.
    return (address === null ? raw : (name(parseInt(address[1] as string, 16)) ?? 'unnamed JIT code')).replace(/ 0x[0-9a-f]+/g, '');
  };
  const callers: Callers = new Map();
  for (const [key, edge] of edges) {
    const [from, to] = key.split(' ') as [string, string];
    const byCaller = callers.get(labelOf(to)) ?? new Map<string, { calls: number; instructions: number }>();
    const sum = byCaller.get(labelOf(from)) ?? { calls: 0, instructions: 0 };
    sum.calls += edge.calls / requests;
    sum.instructions += edge.instructions / requests;
    byCaller.set(labelOf(from), sum);
    callers.set(labelOf(to), byCaller);
  }
  const profile: Profile = new Map();
  for (const [id, sum] of costs) {
    const label = labelOf(id);
    const entry = profile.get(label) ?? { instructions: 0, misses: 0 };
    entry.instructions += (sum[ir] ?? 0) / requests;
    if (ilmr >= 0) entry.misses += ((sum[ilmr] ?? 0) + (sum[dlmr] ?? 0) + (sum[dlmw] ?? 0)) / requests;
    profile.set(label, entry);
  }
  return { profile, callers };
}

async function profileOf(which: Case): Promise<{ profile: Profile; callers: Callers }> {
  const run = await countUnderCallgrind(which, { token, warmupRequests, requests, valgrindOptions: cacheOptions, nodeOptions: ['--perf-basic-prof'] });
  const mapFile = `/tmp/perf-${run.pid}.map`;
  try {
    const main = run.dumps.find((dump) => dump.main);
    if (main === undefined) throw new Error(`${which}: no main-thread dump`);
    return selfCosts(await readFile(main.file, 'utf8'), symbolTable(await readFile(mapFile, 'utf8')));
  } finally {
    await rm(run.dir, { recursive: true, force: true });
    await rm(mapFile, { force: true });
  }
}

const profiles = new Map<Case, Profile>();
const callersOf = new Map<Case, Callers>();
const queue = [...(chosen as Case[])];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let which = queue.shift(); which !== undefined; which = queue.shift()) {
      const { profile, callers } = await profileOf(which);
      profiles.set(which, profile);
      callersOf.set(which, callers);
      console.error(`${which}: profiled`);
    }
  }),
);

const simulated = cacheKiB !== undefined;
const round = (n: number) => Math.round(n).toLocaleString('en-US');
const signed = (n: number) => (n > 0 ? `+${round(n)}` : round(n));
const total = (profile: Profile, key: 'instructions' | 'misses') => [...profile.values()].reduce((n, e) => n + e[key], 0);
const cell = (name: string) => name.replaceAll('|', '\\|').slice(0, 110);

console.log(`\nself cost per request on the main thread under callgrind, ${requests} requests after ${warmupRequests} of warm-up, Node ${process.version}`);
for (const which of chosen as Case[]) {
  const profile = profiles.get(which)!;
  const misses = simulated ? `, ${round(total(profile, 'misses'))} last-level misses (${cacheKiB} KiB)` : '';
  console.log(`- ${which}: ${round(total(profile, 'instructions'))} instructions${misses}`);
}
const [baseCase, ...others] = chosen as Case[];
const base = profiles.get(baseCase as Case)!;
for (const which of others) {
  const profile = profiles.get(which)!;
  const rows = [...new Set([...base.keys(), ...profile.keys()])].map((name) => {
    const before = base.get(name) ?? { instructions: 0, misses: 0 };
    const after = profile.get(name) ?? { instructions: 0, misses: 0 };
    return { name, instructions: after.instructions - before.instructions, misses: after.misses - before.misses, own: after.instructions };
  });
  rows.sort((a, b) => Math.abs(b.instructions) - Math.abs(a.instructions));
  console.log(`\n${which} − ${baseCase}: ${signed(total(profile, 'instructions') - total(base, 'instructions'))} instructions per request\n`);
  console.log(`| function | instructions, difference | ${simulated ? 'last-level misses, difference | ' : ''}instructions in ${which} |`);
  console.log(`|---|---:|${simulated ? '---:|' : ''}---:|`);
  for (const row of rows.slice(0, top)) {
    console.log(`| ${cell(row.name)} | ${signed(row.instructions)} | ${simulated ? `${signed(row.misses)} | ` : ''}${round(row.own)} |`);
  }
}

// CALLERS: who calls the functions whose names contain one of these (e.g. Builtins_KeyedLoadIC), in each case but the base.
for (const wanted of (process.env['CALLERS'] ?? '').split(',').filter((w) => w !== '')) {
  for (const which of others) {
    const callers = callersOf.get(which)!;
    for (const [callee, byCaller] of callers) {
      if (!callee.includes(wanted)) continue;
      const rows = [...byCaller].sort((a, b) => b[1].instructions - a[1].instructions).slice(0, top);
      console.log(`\ncallers of ${cell(callee)} in ${which}, per request\n`);
      console.log("| caller | calls | instructions (the callee's, inclusive) |");
      console.log('|---|---:|---:|');
      for (const [caller, edge] of rows) console.log(`| ${cell(caller)} | ${edge.calls.toFixed(2)} | ${round(edge.instructions)} |`);
    }
  }
}
