// What the accounts benchmarks share: a fresh, migrated database on each
// engine (the real server at DATABASE_URL, or PGlite in the process), and
// the statistics they print.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgDatabase, pgliteDatabase } from '@apojwt/postgres';

/**
 * A schema of its own on the server (dropped by close), so a run never sees
 * another run's rows; the package's SQL runs unchanged through the pool's
 * search_path.
 */
export async function openPostgres({ max = 10 } = {}) {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: source scripts/postgres.sh; start_postgres (or run bench/accounts/run.sh)');
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max });
  const db = pgDatabase(pool);
  await migrate(db);
  return {
    name: 'PostgreSQL',
    db,
    pool,
    async close() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/** PGlite in memory: one connection, in this process. */
export async function openPGlite() {
  const pglite = new PGlite();
  const db = pgliteDatabase(pglite);
  await migrate(db);
  return { name: 'PGlite', db, pglite, close: () => pglite.close() };
}

export async function openEngines(which = process.env.ENGINES ?? 'PostgreSQL,PGlite') {
  const names = which.split(',');
  const engines = [];
  if (names.includes('PostgreSQL')) engines.push(await openPostgres());
  if (names.includes('PGlite')) engines.push(await openPGlite());
  return engines;
}

export const sorted = (values) => [...values].sort((a, b) => a - b);

/** The value below which a fraction p of the samples lie (nearest rank). */
export function quantile(values, p) {
  const s = sorted(values);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

export function stats(values) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, median: quantile(values, 0.5), p10: quantile(values, 0.1), p90: quantile(values, 0.9), p99: quantile(values, 0.99) };
}

/** Welch's t on two samples' means: |t| well under 2 is no difference the samples can show. */
export function welch(a, b) {
  return (a.mean - b.mean) / Math.sqrt(a.sd ** 2 / a.n + b.sd ** 2 / b.n);
}

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? '?';
  return `node ${process.version}, ${os.cpus().length} CPUs (${cpu}), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/**
 * CPU time of the main thread alone (user + system, ms), from
 * /proc/self/task/<pid>/stat: clock ticks (usually 10 ms), so only sums over
 * many operations mean anything. process.cpuUsage() would add the libuv pool
 * threads that hash the passwords. NaN where /proc is missing.
 */
export function mainThreadCpuMs() {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Fisher–Yates on a copy: each round runs the cases in a new order, so drift hits them alike. */
export function shuffled(values) {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
