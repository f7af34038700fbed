import { ApoJwtConfigError } from '@apojwt/core';
import { isDatabase, type Database } from './database.js';

/**
 * The schema, as numbered steps applied in order, each once. A step is never
 * edited after release: a change is a new step. Times are Unix seconds
 * (bigint), the unit the token stores already use.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    id: 1,
    name: 'users and token stores',
    sql: `
      CREATE TABLE apojwt_users (
        id text PRIMARY KEY,
        email text NOT NULL UNIQUE,
        username text UNIQUE,
        password_hash text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        verified boolean NOT NULL DEFAULT false,
        disabled boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL
      );
      CREATE TABLE apojwt_revoked_tokens (jti text PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE INDEX apojwt_revoked_tokens_expiry ON apojwt_revoked_tokens (expires_at);
      CREATE TABLE apojwt_revoked_subjects (sub text PRIMARY KEY, revoked_at bigint NOT NULL, expires_at bigint NOT NULL);
      CREATE INDEX apojwt_revoked_subjects_expiry ON apojwt_revoked_subjects (expires_at);
      CREATE TABLE apojwt_revoked_families (fam text PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE INDEX apojwt_revoked_families_expiry ON apojwt_revoked_families (expires_at);
      CREATE TABLE apojwt_used_refresh_tokens (jti text PRIMARY KEY, first_use bigint NOT NULL, expires_at bigint NOT NULL);
      CREATE INDEX apojwt_used_refresh_tokens_expiry ON apojwt_used_refresh_tokens (expires_at);
    `,
  },
  {
    id: 2,
    name: 'sessions',
    sql: `
      CREATE TABLE apojwt_sessions (
        family text PRIMARY KEY,
        user_id text NOT NULL,
        created_at bigint NOT NULL,
        last_used_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        ip text,
        user_agent text,
        ended_at bigint
      );
      CREATE INDEX apojwt_sessions_user ON apojwt_sessions (user_id, created_at);
    `,
  },
  {
    id: 3,
    name: 'account tokens',
    sql: `
      CREATE TABLE apojwt_account_tokens (
        token_hash text PRIMARY KEY,
        user_id text NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('verify-email', 'reset-password')),
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
      );
      CREATE INDEX apojwt_account_tokens_user ON apojwt_account_tokens (user_id, purpose);
    `,
  },
  {
    id: 4,
    name: 'two-factor login',
    sql: `
      CREATE TABLE apojwt_totp (
        user_id text PRIMARY KEY,
        secret text NOT NULL,
        confirmed boolean NOT NULL DEFAULT false,
        last_step bigint,
        created_at bigint NOT NULL
      );
      CREATE TABLE apojwt_backup_codes (user_id text NOT NULL, code_hash text NOT NULL, used_at bigint, PRIMARY KEY (user_id, code_hash));
      CREATE TABLE apojwt_login_challenges (
        token_hash text PRIMARY KEY,
        user_id text NOT NULL,
        tokens text NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
      );
      CREATE INDEX apojwt_login_challenges_expiry ON apojwt_login_challenges (expires_at);
    `,
  },
]);

/** Any constant: services migrating at once queue on this advisory lock. */
const MIGRATION_LOCK = 0x61706f6a; // "apoj"

export interface MigrateResult {
  /** The steps this call applied (empty when the schema was current). */
  readonly applied: readonly string[];
}

/**
 * Brings the schema up to date, in one transaction: every missing step or
 * none. Safe to call at every start, from every service at once.
 */
export async function migrate(db: Database): Promise<MigrateResult> {
  if (!isDatabase(db)) throw new ApoJwtConfigError('migrate needs a Database (pgDatabase(pool) or pgliteDatabase(pglite))');
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec('CREATE TABLE IF NOT EXISTS apojwt_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ id: number }>('SELECT id FROM apojwt_migrations')).rows.map((row) => Number(row.id)));
    const applied: string[] = [];
    for (const step of MIGRATIONS) {
      if (done.has(step.id)) continue;
      await tx.exec(step.sql);
      await tx.query('INSERT INTO apojwt_migrations (id, name) VALUES ($1, $2)', [step.id, step.name]);
      applied.push(`${step.id} ${step.name}`);
    }
    return { applied };
  });
}
