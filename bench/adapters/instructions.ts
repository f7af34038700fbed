import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadToken } from './load-token.js';
import { CASES, NOOP_BASES, bareOf, serverScriptOf, type Case } from './shared.js';

/**
 * Instructions per request, counted by valgrind's callgrind in the server
 * process (every thread: the JIT's and the GC's helpers too). A count does
 * not depend on what else the machine does, so on a shared machine it
 * tells a change of a few per cent where CPU time per request cannot
 * (bench/adapters.md, "Instructions per request"). It is not time: a cache
 * miss costs no instruction. Read beside the paired CPU figures.
 *
 * Each case's server runs under callgrind; one connection sends
 * WARMUP_REQUESTS (default 20000: V8 is still optimizing a server's code
 * before that), the counters are zeroed (`callgrind_control --zero`), then
 * REQUESTS (default 4000) more, one at a time (one request per event-loop
 * turn on every case, so no case batches more than another), and the
 * counters are dumped. PARALLEL (default 2) servers at once: each runs on
 * one core under valgrind, and the counts do not depend on the wall clock.
 *   ONLY (comma-separated case names, peers included; default: each
 *   framework's bare, no-op and apojwt cases and the hand-written minimal
 *   checks (Nest's guard, Fastify's hook), about 45 minutes), WARMUP_REQUESTS,
 *   REQUESTS, PARALLEL
 */
const warmupRequests = Number(process.env['WARMUP_REQUESTS'] ?? 20_000);
const requests = Number(process.env['REQUESTS'] ?? 4_000);
const parallel = Number(process.env['PARALLEL'] ?? 2);
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

const exec = promisify(execFile);
try {
  await exec('valgrind', ['--version']);
} catch {
  console.error('bench:adapters:instructions needs valgrind (callgrind and callgrind_control): apt-get install valgrind');
  process.exit(2);
}
const token = loadToken();

/** `count` GET /orders, one after another on one kept-alive connection; every answer must be 200. */
async function send(port: number, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((done, fail) => {
        const req = request({ host: '127.0.0.1', port, path: '/orders', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode}`))));
        });
        req.on('error', fail);
        req.end();
      });
    }
  } finally {
    agent.destroy();
  }
}

async function instructionsPerRequest(which: Case): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), `apojwt-callgrind-${which}-`));
  const script = fileURLToPath(new URL(serverScriptOf(which), import.meta.url));
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'out.%p')}`, process.execPath, script, which], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
    const pid = String(child.pid);
    await send(port, warmupRequests);
    await exec('callgrind_control', ['--zero', pid]);
    await send(port, requests);
    await exec('callgrind_control', ['--dump', pid]);
    // The dump is the file with a part number (out.<pid>.1); the final one is written at exit.
    const dump = (await readdir(dir)).find((name) => /^out\.\d+\.\d+$/.test(name));
    if (dump === undefined) throw new Error(`${which}: callgrind wrote no dump`);
    const totals = /^(?:summary|totals): (\d+)/m.exec(await readFile(join(dir, dump), 'utf8'));
    if (totals === null) throw new Error(`${which}: no totals in the callgrind dump`);
    return Number(totals[1]) / requests;
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
}

const counts = new Map<Case, number>();
const queue = [...(chosen as Case[])];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let which = queue.shift(); which !== undefined; which = queue.shift()) {
      const count = await instructionsPerRequest(which);
      counts.set(which, count);
      console.error(`${which}: ${Math.round(count)} instructions per request`);
    }
  }),
);

// The no-op layer of the same shape (shared.ts): only for the cases mounted that way.
const noopOf = (which: Case): Case | undefined => NOOP_BASES.find(([check, noop]) => check === which && counts.has(noop))?.[1];
console.log(`\ninstructions per request under callgrind, ${requests} requests one at a time after ${warmupRequests} of warm-up, Node ${process.version}\n`);
console.log('| case | instructions per request | bare ÷ case | above bare | above the no-op layer |');
console.log('|---|---:|---:|---:|---:|');
for (const which of chosen as Case[]) {
  const count = counts.get(which)!;
  const bare = counts.get(bareOf(which));
  const noop = noopOf(which);
  const cells = [
    which,
    Math.round(count).toLocaleString('en-US'),
    bare === undefined || which === bareOf(which) ? '' : `${(bare / count).toFixed(3)}×`,
    bare === undefined || which === bareOf(which) ? '' : Math.round(count - bare).toLocaleString('en-US'),
    noop === undefined ? '' : Math.round(count - counts.get(noop)!).toLocaleString('en-US'),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
