import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { createRedisStores, type RedisStores } from '@apojwt/redis';
import { failOnUnhandledRejections } from './helpers.js';

/** A redis-server of the test's own, on a free loopback port, that the test can stop and restart. */
export interface OwnRedis {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: the connection stays open but nothing answers (a frozen server). */
  freeze(): void;
  thaw(): void;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'apojwt-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    // No persistence: a restart loses every key, the hardest case for recovery.
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await answersPing(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('redis-server did not start');
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    running.kill('SIGCONT');
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns true (at most `ms`); for pub/sub propagation and reconnection, never for token expiry. */
export async function eventually(probe: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/**
 * The Redis a test file talks to: the suite's shared server (REDIS_URL, set by
 * scripts/test.sh) or, when a file is run on its own, a server of its own.
 */
export async function redisForSuite(): Promise<{ url: string; dispose(): Promise<void> }> {
  const shared = process.env['REDIS_URL'];
  if (shared) return { url: shared, dispose: async () => {} };
  const own = await startOwnRedis();
  return { url: own.url, dispose: () => own.dispose() };
}

/**
 * Registers a test file's Redis set-up: the suite's server (or one of its
 * own), stores opened through `stores()` closed after the file, and a failure
 * if any promise rejection went unhandled meanwhile.
 */
export function redisTestFile(): { readonly url: string; stores(options: Omit<Parameters<typeof createRedisStores>[0], 'redis'>): RedisStores } {
  const unhandled = failOnUnhandledRejections();
  const opened: RedisStores[] = [];
  let suite: { url: string; dispose(): Promise<void> } | undefined;
  before(async () => {
    suite = await redisForSuite();
  });
  after(async () => {
    for (const stores of opened) await stores.close();
    await suite?.dispose();
    unhandled.check();
  });
  return {
    get url(): string {
      if (suite === undefined) throw new Error("the Redis URL is known once the file's before() hook ran");
      return suite.url;
    },
    stores(options) {
      const stores = createRedisStores({ ...options, redis: this.url });
      opened.push(stores);
      return stores;
    },
  };
}
