import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { warmupLoads } from './warm-up.js';
import { serverScriptOf, type Case } from './shared.js';

const exec = promisify(execFile);

/** Fails with the command to install valgrind when it is missing. */
export async function requireValgrind(benchmark: string): Promise<void> {
  try {
    await exec('valgrind', ['--version']);
  } catch {
    console.error(`${benchmark} needs valgrind (callgrind and callgrind_control): apt-get install valgrind`);
    process.exit(2);
  }
}

/** callgrind's cache simulation: 32 KiB first-level caches and a last level of `kib` KiB. */
export function cacheSimulation(kib: number | undefined): string[] {
  if (kib === undefined) return [];
  if (!(Number.isInteger(kib) && kib >= 64 && (kib & (kib - 1)) === 0)) throw new Error('CACHE_SIM: the last-level cache size in KiB, a power of two from 64');
  return ['--cache-sim=yes', '--I1=32768,8,64', '--D1=32768,8,64', `--LL=${kib * 1024},16,64`];
}

/** `count` GET /orders, one after another on one kept-alive connection; every answer must be 200. */
export async function send(port: number, token: string, count: number): Promise<void> {
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

export interface CallgrindRun {
  /** The folder holding the dumps (and, with --perf-basic-prof, V8's log); the caller removes it. */
  readonly dir: string;
  /** The server's process id (valgrind runs node in its own process). */
  readonly pid: number;
  /** The counted window's dumps, one per thread: `out.<pid>.1-01` is the main thread's. */
  readonly dumps: readonly { readonly file: string; readonly main: boolean }[];
}

export interface CallgrindOptions {
  readonly token: string;
  readonly warmupRequests: number;
  readonly requests: number;
  readonly valgrindOptions?: readonly string[];
  readonly nodeOptions?: readonly string[];
}

/**
 * A case's server under callgrind (every thread counted apart): the warm-up
 * over four connections in turn (warm-up.ts), the counters zeroed, then
 * `requests` one at a time on a fresh connection, and the counters dumped.
 * The server runs in the returned folder, so what node writes to its working
 * directory stays there.
 */
export async function countUnderCallgrind(which: Case, options: CallgrindOptions): Promise<CallgrindRun> {
  const dir = await mkdtemp(join(tmpdir(), `apojwt-callgrind-${which}-`));
  const script = fileURLToPath(new URL(serverScriptOf(which), import.meta.url));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--separate-threads=yes',
      ...(options.valgrindOptions ?? []),
      `--callgrind-out-file=${join(dir, 'out.%p')}`,
      process.execPath,
      ...(options.nodeOptions ?? []),
      script,
      which,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], cwd: dir },
  );
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
    const pid = String(child.pid);
    for (const amount of warmupLoads(options.warmupRequests, 4)) await send(port, options.token, amount);
    await exec('callgrind_control', ['--zero', pid]);
    await send(port, options.token, options.requests);
    await exec('callgrind_control', ['--dump', pid]);
    // The dump has a part number and one file per thread (out.<pid>.1-01, -02, …; 01 is the main
    // thread); the final one is written at exit.
    const dumps = (await readdir(dir)).filter((name) => /^out\.\d+\.\d+-\d+$/.test(name)).map((name) => ({ file: join(dir, name), main: name.endsWith('-01') }));
    if (dumps.length === 0) throw new Error(`${which}: callgrind wrote no dump`);
    return { dir, pid: child.pid as number, dumps };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}
