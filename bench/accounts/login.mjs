// Login on PostgreSQL: argon2id (the package defaults) against bcrypt cost 12,
// same run, alternating rounds. The real login path: passwordLogin over
// PostgresUserStore.loginOptions() on a real server (DATABASE_URL), refresh
// configured (each login signs two tokens), the default in-memory limiter on.
//
//   node bench/accounts/login.mjs      # ROUNDS=6 SEQUENTIAL=8 CONCURRENCY=50 WINDOW_MS=3000
//
// Per round and algorithm:
// 1. SEQUENTIAL logins one after another: the time of one login.
// 2. CONCURRENCY logins kept in flight (each one that ends starts another):
//    after a ramp of RAMP_MS, perf_hooks.monitorEventLoopDelay (1 ms
//    resolution, the finest it takes) over WINDOW_MS, with the logins done,
//    event-loop utilisation and the main thread's own CPU time in that window.
//    A fixed window, not a burst: a burst of cheap logins is short, so its
//    start (50 lookups and 50 promise chains at once) would weigh more in its
//    p99 than in a long bcrypt burst's. The start is reported on its own.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ApoJwt } from '@apojwt/core';
import { DEFAULT_ARGON2, MAX_CONCURRENT_HASHES, passwordLogin } from '@apojwt/auth';
import { PostgresUserStore } from '@apojwt/postgres';
import { fmt, machineLine, mainThreadCpuMs, openPostgres, stats } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const SEQUENTIAL = Number(process.env.SEQUENTIAL ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const RAMP_MS = Number(process.env.RAMP_MS ?? 500);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 3000);
const ONLY = process.env.ONLY?.split(',');
const ms = (ns) => ns / 1e6;
const sleep = (t) => new Promise((resolve) => setTimeout(resolve, t));

console.log(`# login: argon2id (defaults) vs bcrypt cost 12 — ${machineLine()}`);
console.log(
  `argon2id parameters: memoryCost ${DEFAULT_ARGON2.memoryCost} KiB, timeCost ${DEFAULT_ARGON2.timeCost}, parallelism ${DEFAULT_ARGON2.parallelism}; hashes at once: MAX_CONCURRENT_HASHES = ${MAX_CONCURRENT_HASHES}`,
);

const engine = await openPostgres({ max: 20 });
const cases = [
  { name: 'argon2id', hash: {} },
  { name: 'bcrypt-12', hash: { hash: { algorithm: 'bcrypt', cost: 12 } } },
].filter((c) => ONLY === undefined || ONLY.includes(c.name));
for (const c of cases) {
  c.users = new PostgresUserStore(engine.db, c.hash);
  c.logins = Array.from({ length: CONCURRENCY }, (_, i) => [`${c.name}-${i}@bench.example`, `password-${i}`]);
  await Promise.all(c.logins.map(([email, password]) => c.users.register({ email, password })));
  c.apo = new ApoJwt({
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    refresh: { refreshSecret: 'r'.repeat(32) },
    login: passwordLogin(c.users.loginOptions()),
  });
  Object.assign(c, { sequential: [], perSecond: [], p99: [], p50: [], max: [], startMax: [], busy: [], cpu: [], inFlight: [] });
}

async function login(c, [email, password]) {
  const pair = await c.apo.login(email, password);
  if (typeof pair?.refreshToken !== 'string') throw new Error('the login did not answer a pair');
}

/** CONCURRENCY logins in flight until stop(); counts those that end. */
function keepInFlight(c) {
  let running = true;
  let done = 0;
  const latencies = [];
  const workers = c.logins.map(async (credentials) => {
    while (running) {
      const t = performance.now();
      await login(c, credentials);
      latencies.push(performance.now() - t);
      done++;
    }
  });
  return { done: () => done, latencies, stop: () => ((running = false), Promise.all(workers)) };
}

// Warm-up: loads both native modules, JITs the path, opens the pool's connections.
for (const c of cases) await Promise.all(c.logins.map((credentials) => login(c, credentials)));

const idle = monitorEventLoopDelay({ resolution: 1 });
idle.enable();
await sleep(1000);
idle.disable();

for (let round = 0; round < ROUNDS; round++) {
  for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
    for (let i = 0; i < SEQUENTIAL; i++) {
      const credentials = c.logins[(round * SEQUENTIAL + i) % c.logins.length];
      const t = performance.now();
      await login(c, credentials);
      c.sequential.push(performance.now() - t);
    }
    const start = monitorEventLoopDelay({ resolution: 1 });
    start.enable();
    const flight = keepInFlight(c);
    await sleep(RAMP_MS);
    start.disable();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const before = { done: flight.done(), elu: performance.eventLoopUtilization(), cpu: mainThreadCpuMs(), t: performance.now() };
    delay.enable();
    await sleep(WINDOW_MS);
    delay.disable();
    const elapsed = performance.now() - before.t;
    const logins = flight.done() - before.done;
    c.busy.push(performance.eventLoopUtilization(before.elu).active / logins);
    c.cpu.push((mainThreadCpuMs() - before.cpu) / logins);
    c.perSecond.push((1000 * logins) / elapsed);
    await flight.stop();
    c.inFlight.push(...flight.latencies);
    c.p99.push(ms(delay.percentile(99)));
    c.p50.push(ms(delay.percentile(50)));
    c.max.push(ms(delay.max));
    c.startMax.push(ms(start.max));
  }
}
await engine.close();

console.log(`event-loop delay idle 1 s: p50 ${fmt(ms(idle.percentile(50)))} ms, p99 ${fmt(ms(idle.percentile(99)))} ms, max ${fmt(ms(idle.max))} ms`);
console.log('| measure | ' + cases.map((c) => c.name).join(' | ') + ' |');
console.log('| --- |' + cases.map(() => ' --- |').join(''));
const row = (label, f) => console.log(`| ${label} | ${cases.map(f).join(' | ')} |`);
const range = (values, digits = 2) => `${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)}`;
row(`time per login, one at a time (n=${ROUNDS * SEQUENTIAL}): median (p10–p90)`, (c) => {
  const s = stats(c.sequential);
  return `${fmt(s.median, 1)} ms (${fmt(s.p10, 1)}–${fmt(s.p90, 1)})`;
});
row(`${CONCURRENCY} in flight: logins/s, median of ${ROUNDS} windows (min–max)`, (c) => `${fmt(stats(c.perSecond).median, 1)} (${range(c.perSecond, 1)})`);
row(`${CONCURRENCY} in flight: time per login, median (p90)`, (c) => {
  const s = stats(c.inFlight);
  return `${fmt(s.median, 0)} ms (${fmt(s.p90, 0)})`;
});
row(`**event-loop delay p99, ${CONCURRENCY} in flight**: median of ${ROUNDS} windows (min–max)`, (c) => `**${fmt(stats(c.p99).median)} ms** (${range(c.p99)})`);
row('event-loop delay p50, median of windows; max of all windows', (c) => `${fmt(stats(c.p50).median)} ms; ${fmt(Math.max(...c.max), 1)} ms`);
row(`event-loop delay max while ${CONCURRENCY} logins start at once (first ${RAMP_MS} ms), median (min–max)`, (c) => `${fmt(stats(c.startMax).median, 1)} ms (${range(c.startMax, 1)})`);
row('main thread per login: busy (event-loop utilisation), median of windows', (c) => `${fmt(stats(c.busy).median)} ms`);
row('main thread per login: on a CPU (its /proc thread time, 10 ms ticks), median of windows', (c) => `${fmt(stats(c.cpu).median)} ms`);
console.log(`load average after: ${machineLine().split('load average ')[1]}`);
