// Login benchmark: throughput, event-loop delay while 50 logins run at once,
// and unknown-user vs wrong-password timing. Run after building core:
//   pnpm -r --filter "./packages/**" run build && node bench/credentials.mjs
// bcrypt runs on at most MAX_CONCURRENT_HASHES pool threads (min(UV_THREADPOOL_SIZE - 1, cores)).
// Options (env): COST (bcrypt cost, default 12), ROUNDS (timing samples per case, default 40).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import os from 'node:os';
import { ApoJwt, ApoJwtError } from '@apojwt/core';
import { hashPassword, passwordLogin } from '@apojwt/auth';

const loadBefore = os.loadavg();
const cost = Number(process.env.COST ?? 12);
const rounds = Number(process.env.ROUNDS ?? 40);
const concurrency = 50;

const users = new Map(
  await Promise.all(Array.from({ length: concurrency }, async (_, i) => [`user${i}`, { sub: `u${i}`, passwordHash: await hashPassword(`pw-${i}`, { cost }), permissions: ['orders:read'] }])),
);
const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', refresh: { refreshSecret: 'r'.repeat(32) } });
// The default in-memory limiter stays on: it is part of every real login.
apo.configLogin(passwordLogin({ getUser: async (name) => users.get(name), cost }));

const ms = (ns) => ns / 1e6;
const fmt = (n) => n.toFixed(2);

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1));
  return { mean, sd, median: q(0.5), p10: q(0.1), p90: q(0.9) };
}

async function burst() {
  const started = performance.now();
  await Promise.all([...users.keys()].map((name, i) => apo.login(name, `pw-${i}`)));
  return performance.now() - started;
}

await burst(); // warm-up: loads bcrypt, JITs the path

// 1. Event-loop delay while 50 logins run at once (resolution 1 ms: the finest the histogram takes).
const idle = monitorEventLoopDelay({ resolution: 1 });
idle.enable();
await new Promise((r) => setTimeout(r, 1000));
idle.disable();

const busy = monitorEventLoopDelay({ resolution: 1 });
busy.enable();
const bursts = [];
for (let i = 0; i < 3; i++) bursts.push(await burst());
busy.disable();

// 2. Throughput, and event-loop utilisation (the time the main thread was
// busy, not waiting in epoll) over three more bursts, with the delay monitor
// off (its 1 ms timer would count as busy time). Per login, this is what a
// login costs the event loop, whatever else runs on the machine; the delay
// histogram above also counts the OS scheduler.
const eluStart = performance.eventLoopUtilization();
const timed = [];
for (let i = 0; i < 3; i++) timed.push(await burst());
const elu = performance.eventLoopUtilization(eluStart);
const totalMs = timed.reduce((a, b) => a + b, 0);
const throughput = (3 * concurrency) / (totalMs / 1000);

// 3. Unknown user vs wrong password, interleaved so drift hits both alike.
// Limits high enough never to lock, but still counted: both paths do the same store work.
apo.configLogin(passwordLogin({ getUser: async (name) => users.get(name), cost, limiter: { perAccount: { attempts: 1_000_000, windowSeconds: 3600, lockoutSeconds: 1 } } }));
// One of each first, unmeasured: the new configuration's dummy hash is made
// in the background at configLogin and the first unknown-user login waits for it.
for (const name of ['nobody', 'user1']) await apo.login(name, 'wrong-password').catch(() => undefined);
const unknown = [];
const wrong = [];
for (let i = 0; i < rounds; i++) {
  for (const [list, name] of i % 2 === 0
    ? [
        [unknown, 'nobody'],
        [wrong, 'user1'],
      ]
    : [
        [wrong, 'user1'],
        [unknown, 'nobody'],
      ]) {
    const t = performance.now();
    try {
      await apo.login(name, 'wrong-password', {});
    } catch (error) {
      if (!(error instanceof ApoJwtError) || error.code !== 'ERR_CREDENTIALS_INVALID') throw error;
    }
    list.push(performance.now() - t);
  }
}
const u = stats(unknown);
const w = stats(wrong);
// Welch's t statistic: |t| well under 2 means no difference the samples can show.
const t = (u.mean - w.mean) / Math.sqrt(u.sd ** 2 / unknown.length + w.sd ** 2 / wrong.length);

console.log(`load average before the run: ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, bcrypt cost ${cost}`);
console.log(`event-loop delay, idle 1 s:            p50 ${fmt(ms(idle.percentile(50)))} ms  p99 ${fmt(ms(idle.percentile(99)))} ms  max ${fmt(ms(idle.max))} ms`);
console.log(`event-loop delay, 3 x 50 concurrent:   p50 ${fmt(ms(busy.percentile(50)))} ms  p99 ${fmt(ms(busy.percentile(99)))} ms  max ${fmt(ms(busy.max))} ms`);
console.log(`main-thread busy time per login:       ${fmt(elu.active / (3 * concurrency))} ms (event-loop utilisation ${fmt(100 * elu.utilization)} %)`);
console.log(`login throughput:                      ${fmt(throughput)} logins/s (50 at once, ${timed.map((b) => fmt(b / 1000)).join(' / ')} s per burst)`);
console.log(`unknown user   (n=${unknown.length}): median ${fmt(u.median)} ms  mean ${fmt(u.mean)} ± ${fmt(u.sd)} ms  p10-p90 ${fmt(u.p10)}-${fmt(u.p90)} ms`);
console.log(`wrong password (n=${wrong.length}): median ${fmt(w.median)} ms  mean ${fmt(w.mean)} ± ${fmt(w.sd)} ms  p10-p90 ${fmt(w.p10)}-${fmt(w.p90)} ms`);
console.log(`difference of means ${fmt(u.mean - w.mean)} ms (${fmt((100 * (u.mean - w.mean)) / w.mean)} %), Welch t = ${fmt(t)}`);
