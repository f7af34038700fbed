import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgDatabase, pgliteDatabase, type Database } from '@apojwt/postgres';

/** The accounts' database: where it is (for the demo's banner) and how to let it go. */
export interface AccountsDatabase {
  readonly db: Database;
  readonly description: string;
  close(): Promise<void>;
}

/**
 * PGlite in memory by default (PostgreSQL compiled to WebAssembly: no server
 * to install); with DATABASE_URL, that PostgreSQL server. The same store code
 * and the same migrations run on both (`migrate(db)` here, at start). On the
 * server each run gets a schema of its own, dropped when the demo ends, so
 * runs (and test runs in parallel) never meet each other's accounts.
 */
export async function openAccountsDatabase(databaseUrl: string | undefined): Promise<AccountsDatabase> {
  if (databaseUrl === undefined || databaseUrl === '') {
    const pglite = new PGlite();
    const db = pgliteDatabase(pglite);
    await migrate(db);
    return { db, description: 'PGlite (PostgreSQL in WebAssembly, in memory)', close: () => pglite.close() };
  }
  const schema = `apojwt_demo_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  // Every connection of the pool works in the run's schema: the package's SQL runs unchanged.
  const pool = new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${schema}`, max: 5, query_timeout: 5_000 });
  const db = pgDatabase(pool);
  await migrate(db);
  const { host } = new URL(databaseUrl); // host:port only, never the credentials
  return {
    db,
    description: `PostgreSQL at ${host} (DATABASE_URL), schema ${schema}`,
    async close() {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await pool.end();
    },
  };
}
