// PostgresSessionStore.list per user with 10,000 users × 5 live sessions, on
// the real server (DATABASE_URL) and on PGlite: the query plan (EXPLAIN
// ANALYZE of the store's own statement), then latency (p50/p99) of lists one
// after another, and lists/s with CONCURRENCY lists in flight (the server's
// pool has 10 connections; PGlite has one, and runs them one at a time).
//
//   node bench/accounts/sessions.mjs     # USERS=10000 PER_USER=5 LISTS=5000 CONCURRENCY=10
//
// Rows are inserted in bulk (INSERT … SELECT over generate_series), with a
// sixth, ended session per user every tenth user (the list must skip it),
// then ANALYZE (the server's autovacuum would do it; PGlite has none).
// The last section drops the store's index on a copy of the question, to
// show what it buys.
import { performance } from 'node:perf_hooks';
import { PostgresSessionStore } from '@apojwt/postgres';
import { fmt, machineLine, openEngines, stats } from './lib.mjs';

const USERS = Number(process.env.USERS ?? 10_000);
const PER_USER = Number(process.env.PER_USER ?? 5);
const LISTS = Number(process.env.LISTS ?? 5000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 10);
const NO_INDEX_LISTS = Number(process.env.NO_INDEX_LISTS ?? 300);

console.log(`# session listing, ${USERS} users × ${PER_USER} sessions — ${machineLine()}`);
const now = Math.floor(Date.now() / 1000);
const LIST_SQL =
  'SELECT family, user_id, created_at, last_used_at, expires_at, ip, user_agent FROM apojwt_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY last_used_at DESC, created_at DESC';

async function fill(db) {
  const t = performance.now();
  await db.query(
    `INSERT INTO apojwt_sessions (family, user_id, created_at, last_used_at, expires_at, ip, user_agent, ended_at)
       SELECT 'fam-' || u || '-' || s, 'user-' || u, $1::bigint - (u * 7 + s * 3600) % 2592000, $1::bigint - (u * 13 + s * 600) % 86400,
              $1::bigint + 86400 * 30, '203.0.113.' || (s + 1), 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
              CASE WHEN s = $3::int THEN $1::bigint - 60 END
         FROM generate_series(1, $2::int) AS u, generate_series(0, $3::int) AS s
        WHERE s < $3::int OR u % 10 = 0`,
    [now, USERS, PER_USER],
  );
  await db.exec('ANALYZE apojwt_sessions');
  const { rows } = await db.query('SELECT count(*) AS n FROM apojwt_sessions');
  return { rows: Number(rows[0].n), ms: performance.now() - t };
}

// The store's other statements per user: the cap at login (maxSessionsPerUser), and the periodic purge.
const CAP_SQL = `SELECT family FROM apojwt_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2
            ORDER BY (family = $3) DESC, created_at DESC, last_used_at DESC OFFSET $4`;
const PURGE_SQL = 'DELETE FROM apojwt_sessions WHERE ended_at < $1 OR expires_at < $1 RETURNING 1';

async function plan(db, sql = LIST_SQL, params = ['user-4242', now], analyse = true) {
  const { rows } = await db.query(`EXPLAIN (${analyse ? 'ANALYZE, ' : ''}COSTS OFF) ${sql}`, params);
  return rows.map((row) => Object.values(row)[0]);
}

const userOf = (i) => `user-${1 + ((i * 7919) % USERS)}`; // spread over the table, every user alike

async function sequential(list, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const sessions = await list(userOf(i));
    times.push(performance.now() - t);
    if (sessions.length !== PER_USER) throw new Error(`expected ${PER_USER} sessions, got ${sessions.length}`);
  }
  return stats(times);
}

async function concurrent(list, n) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await list(userOf(next++));
    }),
  );
  return (1000 * n) / (performance.now() - t);
}

const results = [];
for (const engine of await openEngines()) {
  const { db } = engine;
  const filled = await fill(db);
  const version = (await db.query('SHOW server_version')).rows[0].server_version;
  const others = { cap: await plan(db, CAP_SQL, ['user-4242', now, 'fam-4242-0', 5]), purge: await plan(db, PURGE_SQL, [now - 86400], false) };
  const store = new PostgresSessionStore(db);
  const list = (user) => store.list(user);
  await sequential(list, 200); // warm-up: plan cache, pool connections
  const withIndex = { plan: await plan(db), seq: await sequential(list, LISTS), perSecond: await concurrent(list, LISTS) };
  // What the index buys: the same statement without it (dropped in this throw-away database only).
  await db.exec('DROP INDEX apojwt_sessions_user');
  const withoutIndex = { plan: await plan(db), seq: await sequential(list, NO_INDEX_LISTS) };
  results.push({ engine: engine.name, version, filled, withIndex, withoutIndex, others });
  await engine.close();
}

for (const r of results) {
  console.log(`\n## ${r.engine} ${r.version}: ${r.filled.rows} rows inserted and analysed in ${fmt(r.filled.ms / 1000, 1)} s`);
  console.log('plan with the store index (migration step 2, apojwt_sessions_user on (user_id, created_at)):');
  for (const line of r.withIndex.plan) console.log(`    ${line}`);
  console.log('plan without it:');
  for (const line of r.withoutIndex.plan) console.log(`    ${line}`);
  console.log('the cap at login (maxSessionsPerUser), with the index:');
  for (const line of r.others.cap) console.log(`    ${line}`);
  console.log('purge (a periodic job; EXPLAIN without ANALYZE, nothing deleted):');
  for (const line of r.others.purge) console.log(`    ${line}`);
}
console.log('\n| engine | list, one at a time: p50 | p99 | lists/s one at a time | lists/s, ' + CONCURRENCY + ' in flight | without the index: p50 (n=' + NO_INDEX_LISTS + ') |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const s = r.withIndex.seq;
  console.log(`| ${r.engine} | ${fmt(s.median, 3)} ms | ${fmt(s.p99, 3)} ms | ${fmt(1000 / s.mean, 0)} | ${fmt(r.withIndex.perSecond, 0)} | ${fmt(r.withoutIndex.seq.median, 2)} ms |`);
}
console.log(`load average after: ${machineLine().split('load average ')[1]}`);
