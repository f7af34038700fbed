import { ApoJwtError, type RevocationQuery, type RevocationStore } from '@apojwt/core';
import { unavailable, type Database } from './database.js';
import { storeSettings, type PostgresStoreOptions } from './store-options.js';

/**
 * Revocations on PostgreSQL, for teams without Redis: every service asks the
 * same tables, so a revocation holds everywhere at once (no mirror; one
 * indexed query per check). Redis stays the recommended store across many
 * services: its mirror answers checks from memory.
 *
 * An upsert keeps the later expiry and, for subjects, the later instant,
 * so a later write never shortens or moves back a revocation; an expired row
 * counts as absent and is replaced. With `maxEntries`, a new entry on a full
 * table is refused (ERR_STORE_UNAVAILABLE): nothing is forgotten to make room.
 */
export class PostgresRevocationStore implements RevocationStore {
  private readonly maxEntries: number | null;

  constructor(
    private readonly db: Database,
    options: PostgresStoreOptions = {},
  ) {
    this.maxEntries = storeSettings('PostgresRevocationStore', db, options).maxEntries;
  }

  async isRevoked(query: RevocationQuery, nowSeconds: number): Promise<boolean> {
    const { rows } = await this.run(() =>
      this.db.query<{ revoked: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM apojwt_revoked_tokens WHERE jti = $1::text AND expires_at > $4::bigint)
             OR EXISTS (SELECT 1 FROM apojwt_revoked_subjects WHERE sub = $2::text AND revoked_at >= $3::bigint AND expires_at > $4::bigint)
             OR EXISTS (SELECT 1 FROM apojwt_revoked_families WHERE fam = $5::text AND expires_at > $4::bigint) AS revoked`,
        [query.jti ?? null, query.sub, query.iat, nowSeconds, query.fam ?? null],
      ),
    );
    return rows[0]?.revoked === true;
  }

  async revokeToken(jti: string, expiresAt: number, nowSeconds: number): Promise<void> {
    await this.revokeById(BY_ID.token, jti, expiresAt, nowSeconds);
  }

  async revokeSubject(sub: string, revokedAt: number, expiresAt: number, nowSeconds: number): Promise<void> {
    if (expiresAt <= nowSeconds) return;
    await this.write('subject', () =>
      this.db.query(
        `INSERT INTO apojwt_revoked_subjects AS t (sub, revoked_at, expires_at)
           SELECT $1::text, $2::bigint, $3::bigint
            WHERE $5::integer IS NULL
               OR EXISTS (SELECT 1 FROM apojwt_revoked_subjects WHERE sub = $1::text)
               OR (SELECT count(*) FROM apojwt_revoked_subjects WHERE expires_at > $4::bigint) < $5::integer
         ON CONFLICT (sub) DO UPDATE
           SET revoked_at = CASE WHEN t.expires_at <= $4::bigint THEN EXCLUDED.revoked_at ELSE GREATEST(t.revoked_at, EXCLUDED.revoked_at) END,
               expires_at = CASE WHEN t.expires_at <= $4::bigint THEN EXCLUDED.expires_at ELSE GREATEST(t.expires_at, EXCLUDED.expires_at) END
         RETURNING 1 AS written`,
        [sub, revokedAt, expiresAt, nowSeconds, this.maxEntries],
      ),
    );
  }

  async revokeFamily(fam: string, expiresAt: number, nowSeconds: number): Promise<void> {
    await this.revokeById(BY_ID.family, fam, expiresAt, nowSeconds);
  }

  /**
   * One revocation by id (a token's jti, a refresh family): inserted unless the
   * bound is reached by live rows, never shortened, renewed once expired.
   * Table and column come from BY_ID, never from input.
   */
  private async revokeById(target: (typeof BY_ID)[keyof typeof BY_ID], id: string, expiresAt: number, nowSeconds: number): Promise<void> {
    if (expiresAt <= nowSeconds) return;
    const { table, column, label } = target;
    await this.write(label, () =>
      this.db.query(
        `INSERT INTO ${table} AS t (${column}, expires_at)
           SELECT $1::text, $2::bigint
            WHERE $4::integer IS NULL
               OR EXISTS (SELECT 1 FROM ${table} WHERE ${column} = $1::text)
               OR (SELECT count(*) FROM ${table} WHERE expires_at > $3::bigint) < $4::integer
         ON CONFLICT (${column}) DO UPDATE
           SET expires_at = CASE WHEN t.expires_at <= $3::bigint THEN EXCLUDED.expires_at ELSE GREATEST(t.expires_at, EXCLUDED.expires_at) END
         RETURNING 1 AS written`,
        [id, expiresAt, nowSeconds, this.maxEntries],
      ),
    );
  }

  /** Deletes the rows whose tokens have expired anyway; returns how many. Run it from a periodic job. */
  async purgeExpired(nowSeconds: number): Promise<number> {
    let removed = 0;
    for (const table of ['apojwt_revoked_tokens', 'apojwt_revoked_subjects', 'apojwt_revoked_families'] as const) {
      // The table name is one of three constants above, never input.
      const { rows } = await this.run(() =>
        this.db.query<{ n: unknown }>(`WITH gone AS (DELETE FROM ${table} WHERE expires_at <= $1::bigint RETURNING 1) SELECT count(*) AS n FROM gone`, [nowSeconds]),
      );
      removed += Number(rows[0]?.n ?? 0);
    }
    return removed;
  }

  private async write(kind: string, statement: () => Promise<{ rows: unknown[] }>): Promise<void> {
    const { rows } = await this.run(statement);
    if (rows.length === 0) throw new ApoJwtError('ERR_STORE_UNAVAILABLE', `the PostgreSQL ${kind} revocation table is full (maxEntries)`);
  }

  private async run<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      throw unavailable('revocation store', error);
    }
  }
}

/** The two revocations by id: their fixed table and key column. */
const BY_ID = {
  token: { table: 'apojwt_revoked_tokens', column: 'jti', label: 'token' },
  family: { table: 'apojwt_revoked_families', column: 'fam', label: 'refresh family' },
} as const;
