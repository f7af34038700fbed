// Login on PostgreSQL: argon2id (the package defaults) against bcrypt cost 12,
// same run, alternating rounds. The real login path: passwordLogin over
// PostgresUserStore.loginOptions() on a real server (DATABASE_URL), refresh
// configured (each login signs two tokens), the default in-memory limiter on.
//
//   node bench/accounts/login.mjs      # ROUNDS=6 SEQUENTIAL=8 CONCURRENCY=50
//
// Per round and algorithm: SEQUENTIAL logins one after another (time per
// login), then one burst of CONCURRENCY logins at once with
// perf_hooks.monitorEventLoopDelay on (1 ms resolution, the finest it takes),
// then one more burst with the monitor off for event-loop utilisation (the
// monitor's own timer would count as busy time).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ApoJwt } from '@apojwt/core';
import { DEFAULT_ARGON2, MAX_CONCURRENT_HASHES, passwordLogin } from '@apojwt/auth';
import { PostgresUserStore } from '@apojwt/postgres';
import { fmt, machineLine, openPostgres, stats } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const SEQUENTIAL = Number(process.env.SEQUENTIAL ?? 8);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const ms = (ns) => ns / 1e6;

console.log(`# login: argon2id (defaults) vs bcrypt cost 12 — ${machineLine()}`);
console.log(`argon2id parameters: memoryCost ${DEFAULT_ARGON2.memoryCost} KiB, timeCost ${DEFAULT_ARGON2.timeCost}, parallelism ${DEFAULT_ARGON2.parallelism}; hashes at once: MAX_CONCURRENT_HASHES = ${MAX_CONCURRENT_HASHES}`);

const engine = await openPostgres({ max: 20 });
const cases = [
  { name: 'argon2id', users: new PostgresUserStore(engine.db) },
  { name: 'bcrypt-12', users: new PostgresUserStore(engine.db, { hash: { algorithm: 'bcrypt', cost: 12 } }) },
];
for (const c of cases) {
  c.logins = Array.from({ length: CONCURRENCY }, (_, i) => [`${c.name}-${i}@bench.example`, `password-${i}`]);
  await Promise.all(c.logins.map(([email, password]) => c.users.register({ email, password })));
  c.apo = new ApoJwt({
    secret: 's'.repeat(32),
    iss: 'auth',
    serverAudience: 'api',
    refresh: { refreshSecret: 'r'.repeat(32) },
    login: passwordLogin(c.users.loginOptions()),
  });
  c.sequential = [];
  c.bursts = [];
  c.burstP99 = [];
  // Enabled during this case's measured bursts only (a monitor keeps its samples across enable/disable).
  c.delay = monitorEventLoopDelay({ resolution: 1 });
  c.busyPerLogin = [];
  c.next = 0;
}

async function login(c, [email, password]) {
  const pair = await c.apo.login(email, password);
  if (typeof pair?.refreshToken !== 'string') throw new Error('the login did not answer a pair');
}

async function burst(c) {
  const started = performance.now();
  await Promise.all(c.logins.map((credentials) => login(c, credentials)));
  return performance.now() - started;
}

// Warm-up: loads both native modules, JITs the path, fills the pool's connections.
for (const c of cases) await burst(c);

const idle = monitorEventLoopDelay({ resolution: 1 });
idle.enable();
await new Promise((r) => setTimeout(r, 1000));
idle.disable();

for (let round = 0; round < ROUNDS; round++) {
  for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
    for (let i = 0; i < SEQUENTIAL; i++) {
      const credentials = c.logins[c.next++ % c.logins.length];
      const t = performance.now();
      await login(c, credentials);
      c.sequential.push(performance.now() - t);
    }
    const delay = monitorEventLoopDelay({ resolution: 1 }); // this burst alone
    delay.enable();
    c.delay.enable();
    c.bursts.push(await burst(c));
    c.delay.disable();
    delay.disable();
    c.burstP99.push(ms(delay.percentile(99)));
    const elu = performance.eventLoopUtilization();
    await burst(c);
    c.busyPerLogin.push(performance.eventLoopUtilization(elu).active / CONCURRENCY);
  }
}
await engine.close();

console.log(`event-loop delay idle 1 s: p50 ${fmt(ms(idle.percentile(50)))} ms, p99 ${fmt(ms(idle.percentile(99)))} ms, max ${fmt(ms(idle.max))} ms`);
console.log('| measure | ' + cases.map((c) => c.name).join(' | ') + ' |');
console.log('| --- |' + cases.map(() => ' --- |').join(''));
const row = (label, f) => console.log(`| ${label} | ${cases.map(f).join(' | ')} |`);
row(`time per login, one at a time (n=${ROUNDS * SEQUENTIAL}): median (p10–p90)`, (c) => {
  const s = stats(c.sequential);
  return `${fmt(s.median, 1)} ms (${fmt(s.p10, 1)}–${fmt(s.p90, 1)})`;
});
row(`${CONCURRENCY} at once: wall time per burst, median`, (c) => `${fmt(stats(c.bursts).median / 1000)} s`);
row(`${CONCURRENCY} at once: logins/s, median of bursts`, (c) => fmt((CONCURRENCY * 1000) / stats(c.bursts).median, 1));
row(`**event-loop delay p99, ${CONCURRENCY} concurrent** (all ${ROUNDS} bursts)`, (c) => `**${fmt(ms(c.delay.percentile(99)))} ms**`);
row('event-loop delay p99, per burst (min–max)', (c) => `${fmt(Math.min(...c.burstP99))}–${fmt(Math.max(...c.burstP99))} ms`);
row('event-loop delay p50 / max', (c) => `${fmt(ms(c.delay.percentile(50)))} / ${fmt(ms(c.delay.max), 1)} ms`);
row('main-thread busy time per login, median of bursts', (c) => `${fmt(stats(c.busyPerLogin).median)} ms`);
console.log(`load average after: ${machineLine().split('load average ')[1]}`);
