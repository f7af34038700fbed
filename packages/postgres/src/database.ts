import { ApoJwtConfigError, ApoJwtError } from '@apojwt/core';

/** The rows of one statement. */
export interface QueryResult<R> {
  readonly rows: R[];
}

/** What the stores run their SQL on: a connection, or a transaction of one. */
export interface Queryable {
  /** One statement with `$1`-style parameters: values never become SQL text. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (the package's own migrations only). */
  exec(sql: string): Promise<void>;
}

/**
 * A database the package works on: PostgreSQL through a `pg` Pool
 * (`pgDatabase`) or PGlite, PostgreSQL compiled to WebAssembly
 * (`pgliteDatabase`). The same SQL runs on both.
 */
export interface Database extends Queryable {
  /** Runs `body` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T>;
}

/** The part of `pg`'s Pool used here (structural, so the package needs no import of `pg`). */
export interface PgPoolLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<PgClientLike>;
}

export interface PgClientLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  release(error?: Error | boolean): void;
}

/** The part of PGlite used here. */
export interface PGliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(body: (tx: { query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>; exec(sql: string): Promise<unknown> }) => Promise<T>): Promise<T>;
}

/** A `pg` Pool (`new pg.Pool({ connectionString })`). The pool stays the app's: close it yourself. */
export function pgDatabase(pool: PgPoolLike): Database {
  if (pool === null || typeof pool !== 'object' || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new ApoJwtConfigError('pgDatabase needs a pg Pool');
  }
  const on = (client: { query: PgPoolLike['query'] }): Queryable => ({
    query: async <R>(text: string, params?: readonly unknown[]) => (await client.query(text, params === undefined ? undefined : [...params])) as QueryResult<R>,
    // Without parameters pg uses the simple query protocol, which takes several statements.
    exec: async (sql) => void (await client.query(sql)),
  });
  return {
    ...on(pool),
    async transaction(body) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await body(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken = rollback; // the connection is unusable: the pool must drop it
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}

/** A PGlite instance (`new PGlite()` in memory, or `new PGlite(dir)`). */
export function pgliteDatabase(db: PGliteLike): Database {
  if (db === null || typeof db !== 'object' || typeof db.query !== 'function' || typeof db.exec !== 'function' || typeof db.transaction !== 'function') {
    throw new ApoJwtConfigError('pgliteDatabase needs a PGlite instance');
  }
  const on = (client: Pick<PGliteLike, 'query' | 'exec'>): Queryable => ({
    query: async <R>(text: string, params?: readonly unknown[]) => (await client.query(text, params === undefined ? undefined : [...params])) as QueryResult<R>,
    exec: async (sql) => void (await client.exec(sql)),
  });
  return { ...on(db), transaction: (body) => db.transaction((tx) => body(on(tx))) };
}

export function isDatabase(value: unknown): value is Database {
  const db = value as Partial<Database> | null;
  return db !== null && typeof db === 'object' && typeof db.query === 'function' && typeof db.exec === 'function' && typeof db.transaction === 'function';
}

/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';

export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A store that cannot answer: the caller fails closed with a 503. The
 * driver's error (host, SQL) stays in `cause`, for the server's log.
 */
export function unavailable(what: string, cause: unknown): ApoJwtError {
  if (cause instanceof ApoJwtError) return cause;
  return new ApoJwtError('ERR_STORE_UNAVAILABLE', `the PostgreSQL ${what} is unavailable`, {}, { cause });
}

/** bigint columns come back as strings from pg and as numbers or bigints from PGlite. */
export function seconds(value: unknown): number {
  return Number(value);
}
