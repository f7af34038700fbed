// "No such account" vs "wrong password" vs "disabled account" on the
// PostgreSQL user store's login path (passwordLogin over
// PostgresUserStore.loginOptions()), on the real server and on PGlite: the
// answer (status and body) each gets, and the time distributions, as
// bench/credentials.mjs measures them for a getUser in memory.
//
//   node bench/accounts/timing.mjs      # ROUNDS=40 (argon2id), BCRYPT_ROUNDS=20
//
// Each round runs the three cases in a fresh random order, so drift hits them
// alike. Limits are set high enough never to lock, but still counted: every
// path does the same limiter work. Two stores per engine: one on the
// package's defaults (argon2id), one making bcrypt cost-12 hashes.
import { performance } from 'node:perf_hooks';
import { ApoJwt, ApoJwtError, toHttpErrorResponse } from '@apojwt/core';
import { passwordLogin } from '@apojwt/auth';
import { PostgresUserStore } from '@apojwt/postgres';
import { fmt, machineLine, openEngines, shuffled, stats, welch } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 40);
const BCRYPT_ROUNDS = Number(process.env.BCRYPT_ROUNDS ?? 20);
const PASSWORD = 'correct horse battery staple';
const limiter = { perAccount: { attempts: 1_000_000, windowSeconds: 3600, lockoutSeconds: 1 }, perIp: false };

console.log(`# unknown account vs wrong password vs disabled account — ${machineLine()}`);
const engines = await openEngines();
const stores = [
  { label: 'argon2id (defaults)', hash: undefined, rounds: ROUNDS },
  { label: 'bcrypt cost 12', hash: { algorithm: 'bcrypt', cost: 12 }, rounds: BCRYPT_ROUNDS },
];

const results = [];
for (const engine of engines) {
  for (const [n, store] of stores.entries()) {
    const users = new PostgresUserStore(engine.db, store.hash === undefined ? {} : { hash: store.hash });
    await users.register({ email: `alice${n}@bench.example`, password: PASSWORD });
    const dave = await users.register({ email: `dave${n}@bench.example`, password: PASSWORD });
    await users.disable(dave.id);
    const apo = new ApoJwt({ secret: 's'.repeat(32), iss: 'auth', serverAudience: 'api', login: passwordLogin({ ...users.loginOptions(), limiter }) });
    const cases = [
      { name: 'no such account', login: `nobody${n}@bench.example`, times: [], answers: new Set() },
      { name: 'wrong password', login: `alice${n}@bench.example`, times: [], answers: new Set() },
      { name: 'disabled, wrong password', login: `dave${n}@bench.example`, times: [], answers: new Set() },
    ];
    const attempt = async (c) => {
      const t = performance.now();
      try {
        await apo.login(c.login, 'wrong password', { ip: '198.51.100.7' });
        throw new Error(`${c.name}: the login succeeded`);
      } catch (error) {
        if (!(error instanceof ApoJwtError)) throw error;
        const elapsed = performance.now() - t;
        const { status, body } = toHttpErrorResponse(error);
        return { elapsed, answer: JSON.stringify({ status, body }) };
      }
    };
    // One of each, unmeasured: loads the hash module, waits for the login's dummy hash.
    for (const c of cases) await attempt(c);
    for (let round = 0; round < store.rounds; round++) {
      for (const c of shuffled(cases)) {
        const { elapsed, answer } = await attempt(c);
        c.times.push(elapsed);
        c.answers.add(answer);
      }
    }
    // With the right password, a disabled account is told so (403): only someone who knows the password learns it.
    let disabledRight;
    try {
      await apo.login(`dave${n}@bench.example`, PASSWORD);
    } catch (error) {
      disabledRight = `${error.status} ${error.code}`;
    }
    results.push({ engine: engine.name, store: store.label, cases, disabledRight });
  }
}
for (const engine of engines) await engine.close();

console.log('| engine | store | case | answer | median | mean ± sd | p10–p90 | median ÷ wrong password | Welch t vs wrong password |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { engine, store, cases } of results) {
  const base = stats(cases[1].times);
  for (const c of cases) {
    const s = stats(c.times);
    const answers = [...c.answers].map((a) => JSON.parse(a));
    const answer = answers.length === 1 ? `${answers[0].status} ${answers[0].body.error ?? JSON.stringify(answers[0].body)}` : `${answers.length} different answers`;
    console.log(
      `| ${engine} | ${store} | ${c.name} (n=${s.n}) | ${answer} | ${fmt(s.median)} ms | ${fmt(s.mean)} ± ${fmt(s.sd)} ms | ${fmt(s.p10)}–${fmt(s.p90)} ms | ${fmt(s.median / base.median, 3)} | ${c === cases[1] ? '—' : fmt(welch(s, base))} |`,
    );
  }
}
for (const { engine, store, cases, disabledRight } of results) {
  const bodies = new Set(cases.flatMap((c) => [...c.answers]));
  console.log(
    `${engine}, ${store}: ${bodies.size === 1 ? 'one answer (status and body) for the three cases' : `${bodies.size} different answers`}: ${[...bodies][0]}; disabled with the right password: ${disabledRight}`,
  );
}
console.log(`load average after: ${machineLine().split('load average ')[1]}`);
