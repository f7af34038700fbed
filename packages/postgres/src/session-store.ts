import { ApoJwtConfigError, knownKeys } from '@apojwt/core';
import { isDatabase, seconds, unavailable, type Database } from './database.js';

/** One session: one refresh-token family, from a login to its logout, revocation or expiry. */
export interface Session {
  /** The refresh family id (the refresh tokens' `fam` claim). */
  readonly id: string;
  readonly userId: string;
  /** Unix seconds. */
  readonly createdAt: number;
  /** Unix seconds: the login, or the last refresh. */
  readonly lastUsedAt: number;
  /** Unix seconds: when its current refresh token expires (unless refreshed before). */
  readonly expiresAt: number;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}

export interface SessionStart {
  /** The refresh family of the login's refresh token. */
  family: string;
  userId: string;
  /** When the login's refresh token expires (its `exp`). */
  expiresAt: number;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

/** What ends sessions' tokens: an ApoJwt instance. */
export interface SessionRevoker {
  revokeFamily(fam: string): Promise<void>;
  revokeSubject(sub: string): Promise<void>;
}

export interface SessionStoreOptions {
  /** Most live sessions per user; a new login beyond it ends the oldest. Default: no cap. */
  maxSessionsPerUser?: number;
  /** Clock, Unix seconds; default the system clock. */
  now?: () => number;
}

/** Longest IP and User-Agent kept (a header can be kilobytes; a session list needs a readable label). */
export const MAX_USER_AGENT_LENGTH = 512;
const MAX_IP_LENGTH = 64;

interface SessionRow {
  family: string;
  user_id: string;
  created_at: unknown;
  last_used_at: unknown;
  expires_at: unknown;
  ip: string | null;
  user_agent: string | null;
}

const COLUMNS = 'family, user_id, created_at, last_used_at, expires_at, ip, user_agent';

/**
 * Sessions on PostgreSQL. Each refresh-token family is a session; ending
 * one revokes its family (every token descended from that login) through
 * the instance's revocation store, so the decision stays in @apojwt/core's
 * verification: this table is the list a user sees, the revocation store
 * is what refuses tokens.
 */
export class PostgresSessionStore {
  private readonly maxSessionsPerUser: number | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    options: SessionStoreOptions = {},
  ) {
    if (!isDatabase(db)) throw new ApoJwtConfigError('PostgresSessionStore needs a Database (pgDatabase(pool) or pgliteDatabase(pglite))');
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('PostgresSessionStore options must be an object');
    knownKeys('PostgresSessionStore', options, ['maxSessionsPerUser', 'now']);
    const cap = options.maxSessionsPerUser;
    if (cap !== undefined && (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1))
      throw new ApoJwtConfigError('PostgresSessionStore: maxSessionsPerUser must be a positive integer');
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('PostgresSessionStore: now must be a function');
    this.maxSessionsPerUser = cap;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Records a login's session. With `maxSessionsPerUser`, the user's oldest
   * live sessions beyond the cap end (their families revoked through `apo`).
   */
  async start(start: SessionStart, apo: SessionRevoker): Promise<Session> {
    const now = this.now();
    const row: SessionRow = {
      family: start.family,
      user_id: start.userId,
      created_at: now,
      last_used_at: now,
      expires_at: start.expiresAt,
      ip: label(start.ip, MAX_IP_LENGTH),
      user_agent: label(start.userAgent, MAX_USER_AGENT_LENGTH),
    };
    await this.run(() =>
      this.db.query(`INSERT INTO apojwt_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (family) DO NOTHING`, [
        row.family,
        row.user_id,
        row.created_at,
        row.last_used_at,
        row.expires_at,
        row.ip,
        row.user_agent,
      ]),
    );
    if (this.maxSessionsPerUser !== undefined) {
      // Newest first; everything after the cap ends. Ties in the same second keep the one just made.
      const { rows } = await this.run(() =>
        this.db.query<{ family: string }>(
          `SELECT family FROM apojwt_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2
            ORDER BY (family = $3) DESC, created_at DESC, last_used_at DESC OFFSET $4`,
          [start.userId, now, start.family, this.maxSessionsPerUser],
        ),
      );
      for (const { family } of rows) await this.end(start.userId, family, apo);
    }
    return session(row);
  }

  /** Records a refresh of the session: last use now, the new refresh token's expiry. */
  async touch(family: string, expiresAt: number, client: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<void> {
    await this.run(() =>
      this.db.query('UPDATE apojwt_sessions SET last_used_at = $2, expires_at = $3, ip = COALESCE($4, ip), user_agent = COALESCE($5, user_agent) WHERE family = $1 AND ended_at IS NULL', [
        family,
        this.now(),
        expiresAt,
        label(client.ip, MAX_IP_LENGTH),
        label(client.userAgent, MAX_USER_AGENT_LENGTH),
      ]),
    );
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: string): Promise<Session[]> {
    const { rows } = await this.run(() =>
      this.db.query<SessionRow>(`SELECT ${COLUMNS} FROM apojwt_sessions WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY last_used_at DESC, created_at DESC`, [
        userId,
        this.now(),
      ]),
    );
    return rows.map(session);
  }

  /**
   * Ends one of the user's sessions and revokes its family. False when the
   * user has no such live session (another user's session is not theirs to end:
   * the same answer as an unknown one).
   */
  async revoke(userId: string, sessionId: string, apo: SessionRevoker): Promise<boolean> {
    if (typeof sessionId !== 'string' || sessionId.length === 0) return false;
    return this.end(userId, sessionId, apo);
  }

  /**
   * Logs the user out everywhere: every session ends, and every token issued
   * to the user until now is revoked (`revokeSubject`), sessions not recorded
   * here included. Returns how many sessions ended.
   */
  async revokeAll(userId: string, apo: SessionRevoker): Promise<number> {
    await apo.revokeSubject(userId);
    const { rows } = await this.run(() =>
      this.db.query('UPDATE apojwt_sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 RETURNING family', [userId, this.now()]),
    );
    return rows.length;
  }

  /** Deletes sessions that ended or expired before `beforeSeconds`; returns how many. */
  async purge(beforeSeconds: number): Promise<number> {
    const { rows } = await this.run(() => this.db.query('DELETE FROM apojwt_sessions WHERE ended_at < $1 OR expires_at < $1 RETURNING 1', [beforeSeconds]));
    return rows.length;
  }

  private async end(userId: string, family: string, apo: SessionRevoker): Promise<boolean> {
    const { rows } = await this.run(() =>
      this.db.query('UPDATE apojwt_sessions SET ended_at = $3 WHERE family = $1 AND user_id = $2 AND ended_at IS NULL RETURNING family', [family, userId, this.now()]),
    );
    if (rows.length === 0) return false;
    // The revocation is what refuses the tokens: a failure here is a 503 to the caller, who may retry.
    await apo.revokeFamily(family);
    return true;
  }

  private async run<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      throw unavailable('session store', error);
    }
  }
}

function label(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  // No NUL (PostgreSQL text refuses it) and no other control characters in a list shown to people.
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, max);
}

function session(row: SessionRow): Session {
  return Object.freeze({
    id: row.family,
    userId: row.user_id,
    createdAt: seconds(row.created_at),
    lastUsedAt: seconds(row.last_used_at),
    expiresAt: seconds(row.expires_at),
    ip: row.ip ?? undefined,
    userAgent: row.user_agent ?? undefined,
  });
}
