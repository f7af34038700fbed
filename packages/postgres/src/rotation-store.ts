import { ApoJwtError, type RotationStore } from '@apojwt/core';
import { seconds, unavailable, type Database } from './database.js';
import { storeSettings, type PostgresStoreOptions } from './store-options.js';

/**
 * Used refresh tokens on PostgreSQL. `consume` is one INSERT … ON CONFLICT:
 * of two concurrent calls for one jti, across any number of connections and
 * services, PostgreSQL lets exactly one insert the row (the unique index
 * decides), and the other reads the first use's instant. PostgreSQL keeps its
 * rows across restarts, so no token issued before a loss has to be refused.
 */
export class PostgresRotationStore implements RotationStore {
  private readonly maxEntries: number | null;

  constructor(
    private readonly db: Database,
    options: PostgresStoreOptions = {},
  ) {
    this.maxEntries = storeSettings('PostgresRotationStore', db, options).maxEntries;
  }

  async consume(jti: string, expiresAt: number, nowSeconds: number): Promise<number | undefined> {
    try {
      const inserted = await this.db.query(
        `INSERT INTO apojwt_used_refresh_tokens AS t (jti, first_use, expires_at)
           SELECT $1::text, $3::bigint, $2::bigint
            WHERE $4::integer IS NULL
               OR EXISTS (SELECT 1 FROM apojwt_used_refresh_tokens WHERE jti = $1::text)
               OR (SELECT count(*) FROM apojwt_used_refresh_tokens WHERE expires_at > $3::bigint) < $4::integer
         ON CONFLICT (jti) DO UPDATE SET first_use = EXCLUDED.first_use, expires_at = EXCLUDED.expires_at
           WHERE t.expires_at <= $3::bigint
         RETURNING 1 AS fresh`,
        [jti, expiresAt, nowSeconds, this.maxEntries],
      );
      if (inserted.rows.length > 0) return undefined;
      const used = await this.db.query<{ first_use: unknown }>('SELECT first_use FROM apojwt_used_refresh_tokens WHERE jti = $1::text AND expires_at > $2::bigint', [jti, nowSeconds]);
      const row = used.rows[0];
      if (row !== undefined) return seconds(row.first_use);
    } catch (error) {
      throw unavailable('rotation store', error);
    }
    throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the PostgreSQL rotation table is full (maxEntries)');
  }

  /** Deletes the rows of expired refresh tokens; returns how many. */
  async purgeExpired(nowSeconds: number): Promise<number> {
    try {
      const { rows } = await this.db.query<{ n: unknown }>(
        'WITH gone AS (DELETE FROM apojwt_used_refresh_tokens WHERE expires_at <= $1::bigint RETURNING 1) SELECT count(*) AS n FROM gone',
        [nowSeconds],
      );
      return Number(rows[0]?.n ?? 0);
    } catch (error) {
      throw unavailable('rotation store', error);
    }
  }
}
