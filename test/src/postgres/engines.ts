import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { migrate, pgDatabase, pgliteDatabase, type Database } from '@apojwt/postgres';
import { failOnUnhandledRejections } from '../support/helpers.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A fresh, migrated database, and how to drop it. */
export interface FreshDatabase {
  readonly db: Database;
  /** On the server: the schema it is, for tests that open pools of their own. */
  readonly schema: string;
  close(): Promise<void>;
}

/** One engine the package runs on: the real server, or PGlite. */
export interface Engine {
  readonly name: 'PostgreSQL' | 'PGlite';
  /** A database of the test's own, migrated unless `migrated: false`. */
  fresh(options?: { migrated?: boolean }): Promise<FreshDatabase>;
}

/**
 * A throw-away cluster of this file's own (scripts/postgres.sh), for a test
 * file run alone; the suite's runs share the one scripts/test.sh started.
 */
export function startOwnPostgres(): { url: string; stop(): void } {
  const out = execFileSync('bash', ['-c', 'source scripts/postgres.sh && start_postgres >&2 && echo "$POSTGRES_DIR $POSTGRES_OWNER $DATABASE_URL"'], { cwd: root, encoding: 'utf8' });
  const [dir, owner, url] = out.trim().split(' ') as [string, string, string];
  return {
    url,
    stop: () => execFileSync('bash', ['-c', 'source scripts/postgres.sh && POSTGRES_DIR="$1" POSTGRES_OWNER="$2" stop_postgres', 'stop', dir, owner], { cwd: root, stdio: 'ignore' }),
  };
}

/**
 * Registers a test file's engines: the real server (DATABASE_URL, or one of
 * the file's own) and PGlite. Each fresh database on the server is a schema
 * of its own, reached through a pool whose search_path is that schema, so the
 * package's SQL runs unchanged and tests never see each other's rows.
 */
let url: string | undefined;

export function engines(): readonly Engine[] {
  const unhandled = failOnUnhandledRejections();
  let own: { stop(): void } | undefined;
  before(() => {
    url = process.env['DATABASE_URL'];
    if (url === undefined || url === '') {
      const started = startOwnPostgres();
      own = started;
      url = started.url;
    }
  });
  after(() => {
    own?.stop();
    unhandled.check();
  });

  const server: Engine = {
    name: 'PostgreSQL',
    async fresh({ migrated = true } = {}) {
      if (url === undefined) throw new Error("the database URL is known once the file's before() hook ran");
      const schema = `t_${randomBytes(8).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 10 });
      const db = pgDatabase(pool);
      if (migrated) await migrate(db);
      return {
        db,
        schema,
        async close() {
          await pool.query(`DROP SCHEMA ${schema} CASCADE`);
          await pool.end();
        },
      };
    },
  };
  // One PGlite per file (starting one compiles PostgreSQL's WebAssembly: seconds);
  // each fresh database is a schema of its own on its single connection.
  let pglite: PGlite | undefined;
  after(async () => {
    await pglite?.close();
  });
  const embedded: Engine = {
    name: 'PGlite',
    async fresh({ migrated = true } = {}) {
      pglite ??= new PGlite();
      const schema = `t_${randomBytes(8).toString('hex')}`;
      await pglite.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      const db = pgliteDatabase(pglite);
      if (migrated) await migrate(db);
      const own = pglite;
      return { db, schema, close: async () => void (await own.exec(`DROP SCHEMA ${schema} CASCADE; SET search_path TO public`)) };
    },
  };
  return [server, embedded];
}

/** The server's URL (for tests that open pools of their own), once `engines()`' before() hook ran. */
export function databaseUrl(): string {
  if (url === undefined) throw new Error("the database URL is known once the file's before() hook ran");
  return url;
}

/**
 * A TCP proxy in front of the suite's server that can be frozen: connections
 * stay open but no byte passes (a server stopped with SIGSTOP, as seen from
 * the client), without stopping the server the other files share.
 */
export async function freezableProxy(target: string): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const { createConnection, createServer } = await import('node:net');
  const to = new URL(target);
  let frozen = false;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: to.hostname, port: Number(to.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on('data', (chunk) => void (frozen || client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    freeze: () => void (frozen = true),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
