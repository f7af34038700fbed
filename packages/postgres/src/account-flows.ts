import { createHash, randomBytes } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError, knownKeys } from '@apojwt/core';
import { hashPassword, LoginLimiter, verifyPassword, type LoginLimiterOptions, type PasswordHashOptions } from '@apojwt/auth';
import { isDatabase, unavailable, type Database } from './database.js';
import { normaliseEmail } from './identity.js';
import type { PostgresUserStore } from './user-store.js';
import type { PostgresSessionStore, SessionRevoker } from './session-store.js';

export type AccountTokenPurpose = 'verify-email' | 'reset-password';

/** What the app's mail sender is handed. `token` goes into a link; it is never stored. */
export interface AccountMail {
  readonly purpose: AccountTokenPurpose;
  readonly to: string;
  readonly userId: string;
  readonly token: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

export interface AccountFlowsOptions {
  db: Database;
  users: PostgresUserStore;
  /** Revokes tokens when a password is reset or changed (an ApoJwt instance). */
  apo: SessionRevoker;
  /** When given, a reset or change also ends the rows of the session list. */
  sessions?: PostgresSessionStore;
  /** Sends the verification or reset mail. Not awaited by `requestPasswordReset` (see there). */
  sendMail: (mail: AccountMail) => void | Promise<void>;
  /** A mail that could not be sent (reset requests do not wait for the sender). Default: ignored. */
  onMailError?: (error: unknown, mail: Omit<AccountMail, 'token'>) => void;
  /** Lifetime of a verification token, seconds. Default 86 400 (one day). */
  verifyTtlSeconds?: number;
  /** Lifetime of a reset token, seconds. Default 3 600 (one hour; OWASP Forgot Password Cheat Sheet). */
  resetTtlSeconds?: number;
  /** Options for the new password's hash. */
  hash?: PasswordHashOptions;
  /**
   * Limits on reset requests, per address and per client IP: a LoginLimiter,
   * its options, or false. Every request counts (not only failures: each one
   * may send a mail). Default: in memory, 5 per address and 50 per IP an
   * hour. Past it, ERR_RATE_LIMITED (429), whether or not the account exists.
   */
  resetLimiter?: LoginLimiter | LoginLimiterOptions | false;
  /** Clock, Unix seconds. */
  now?: () => number;
}

/** Enough for a user who mistyped or lost a mail; too few to flood an inbox. */
export const DEFAULT_RESET_LIMITS: Readonly<LoginLimiterOptions> = Object.freeze({
  perAccount: { attempts: 5, windowSeconds: 3_600, lockoutSeconds: 3_600 },
  perIp: { attempts: 50, windowSeconds: 3_600, lockoutSeconds: 3_600 },
});

/**
 * Email verification, password reset and password change on PostgreSQL.
 *
 * Tokens are 32 random bytes (base64url): guessing one is hopeless, so the
 * table keeps only their SHA-256 (a slow hash buys nothing against 256 bits;
 * a leaked table gives no usable link). Each is single-use: consuming it is
 * one UPDATE … WHERE used_at IS NULL AND expires_at > now, so of two
 * concurrent uses exactly one succeeds. Unknown, used and expired tokens get
 * the same ERR_ACCOUNT_TOKEN_INVALID (400).
 */
export class PostgresAccountFlows {
  private readonly db: Database;
  private readonly users: PostgresUserStore;
  private readonly apo: SessionRevoker;
  private readonly sessions: PostgresSessionStore | undefined;
  private readonly sendMail: AccountFlowsOptions['sendMail'];
  private readonly onMailError: NonNullable<AccountFlowsOptions['onMailError']>;
  private readonly ttl: Readonly<Record<AccountTokenPurpose, number>>;
  private readonly hash: PasswordHashOptions;
  private readonly now: () => number;
  private readonly resetLimiter: LoginLimiter | undefined;

  constructor(options: AccountFlowsOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('PostgresAccountFlows needs options');
    knownKeys('PostgresAccountFlows', options, ['db', 'users', 'apo', 'sessions', 'sendMail', 'onMailError', 'verifyTtlSeconds', 'resetTtlSeconds', 'hash', 'resetLimiter', 'now']);
    if (!isDatabase(options.db)) throw new ApoJwtConfigError('PostgresAccountFlows: db must be a Database');
    if (typeof options.users?.findById !== 'function') throw new ApoJwtConfigError('PostgresAccountFlows: users must be a PostgresUserStore');
    if (typeof options.apo?.revokeSubject !== 'function') throw new ApoJwtConfigError('PostgresAccountFlows: apo must be an ApoJwt instance');
    if (typeof options.sendMail !== 'function') throw new ApoJwtConfigError('PostgresAccountFlows: sendMail must be a function');
    if (options.onMailError !== undefined && typeof options.onMailError !== 'function') throw new ApoJwtConfigError('PostgresAccountFlows: onMailError must be a function');
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('PostgresAccountFlows: now must be a function');
    this.db = options.db;
    this.users = options.users;
    this.apo = options.apo;
    this.sessions = options.sessions;
    this.sendMail = options.sendMail;
    this.onMailError = options.onMailError ?? (() => undefined);
    this.ttl = Object.freeze({ 'verify-email': ttl(options.verifyTtlSeconds, 86_400, 'verifyTtlSeconds'), 'reset-password': ttl(options.resetTtlSeconds, 3_600, 'resetTtlSeconds') });
    this.hash = { ...options.hash };
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const limits = options.resetLimiter;
    if (limits !== undefined && limits !== false && (limits === null || typeof limits !== 'object'))
      throw new ApoJwtConfigError('PostgresAccountFlows: resetLimiter must be a LoginLimiter, its options, or false');
    this.resetLimiter =
      limits === false ? undefined : limits instanceof LoginLimiter ? limits : new LoginLimiter({ ...DEFAULT_RESET_LIMITS, ...limits, prefix: limits?.prefix ?? 'apojwt:reset:' });
  }

  /** Mails the account a verification link (awaits the sender: the caller knows the account). */
  async requestVerification(userId: string): Promise<void> {
    const account = await this.users.findById(userId);
    if (account === undefined) throw new ApoJwtConfigError('no account has this id');
    if (account.verified) return;
    await this.sendMail(await this.issue(account.id, account.email, 'verify-email'));
  }

  /** Marks the token's account verified. ERR_ACCOUNT_TOKEN_INVALID (400) for an unknown, used or expired token. */
  async verifyEmail(token: unknown): Promise<{ userId: string }> {
    const userId = await this.consume(token, 'verify-email');
    await this.users.markVerified(userId);
    return { userId };
  }

  /**
   * Starts a reset. The same answer whether or not the account exists (and
   * for a disabled one): it resolves, nothing else. The mail is handed to the
   * sender without waiting for it, so a slow mail server does not tell an
   * observer that the account exists; a sender failure goes to `onMailError`.
   * A malformed address is ERR_EMAIL_INVALID (400): no account can have it.
   * Requests are limited per address and per `context.ip` (`resetLimiter`),
   * counted before the lookup so that the limit tells nothing either.
   */
  async requestPasswordReset(email: unknown, context: { ip?: string | undefined } = {}): Promise<void> {
    const normalised = normaliseEmail(email);
    const attempt = await this.resetLimiter?.begin(normalised, context.ip);
    await attempt?.failed();
    const account = await this.users.findForLogin(normalised);
    if (account === undefined || account.disabled) return;
    const mail = await this.issue(account.id, account.email, 'reset-password');
    const { token: _token, ...safe } = mail;
    Promise.resolve()
      .then(() => this.sendMail(mail))
      .catch((error: unknown) => this.onMailError(error, safe));
  }

  /**
   * Sets a new password with a reset token, then ends every session of the
   * account (`revokeSubject`, and the session list when given): whoever had
   * the old password is out. The password is checked before the token is
   * used, so a refused password does not burn the link.
   */
  async resetPassword(token: unknown, newPassword: unknown): Promise<{ userId: string }> {
    const password = this.users.checkPassword(newPassword);
    const userId = await this.consume(token, 'reset-password');
    await this.setPassword(userId, password);
    return { userId };
  }

  /**
   * Changes the password of a logged-in account, given the current one
   * (ERR_CREDENTIALS_INVALID, 401, when wrong). Every session ends, the
   * caller's included: it logs in again with the new password.
   */
  async changePassword(userId: string, currentPassword: unknown, newPassword: unknown): Promise<void> {
    const account = await this.users.findById(userId);
    const stored = account === undefined ? undefined : await this.users.findForLogin(account.email);
    if (typeof currentPassword !== 'string' || stored === undefined || !(await verifyPassword(currentPassword, stored.passwordHash))) {
      throw new ApoJwtError('ERR_CREDENTIALS_INVALID', 'the current password is wrong');
    }
    await this.setPassword(userId, this.users.checkPassword(newPassword));
  }

  /** Deletes tokens used or expired before `beforeSeconds`; returns how many. */
  async purge(beforeSeconds: number): Promise<number> {
    const { rows } = await this.run(() => this.db.query('DELETE FROM apojwt_account_tokens WHERE used_at < $1 OR expires_at < $1 RETURNING 1', [beforeSeconds]));
    return rows.length;
  }

  private async setPassword(userId: string, password: string): Promise<void> {
    await this.users.setPasswordHash(userId, await hashPassword(password, this.hash));
    // Outstanding reset links of the old password stop working too.
    await this.run(() => this.db.query("UPDATE apojwt_account_tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'reset-password' AND used_at IS NULL", [userId, this.now()]));
    if (this.sessions !== undefined) await this.sessions.revokeAll(userId, this.apo);
    else await this.apo.revokeSubject(userId);
  }

  private async issue(userId: string, to: string, purpose: AccountTokenPurpose): Promise<AccountMail> {
    const token = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.ttl[purpose];
    await this.run(() =>
      this.db.query('INSERT INTO apojwt_account_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [digest(token), userId, purpose, now, expiresAt]),
    );
    return Object.freeze({ purpose, to, userId, token, expiresAt });
  }

  private async consume(token: unknown, purpose: AccountTokenPurpose): Promise<string> {
    // Tokens are 43 base64url characters; anything else is not one (and is not hashed or looked up).
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw invalidToken();
    const now = this.now();
    const { rows } = await this.run(() =>
      this.db.query<{ user_id: string }>('UPDATE apojwt_account_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id', [
        digest(token),
        purpose,
        now,
      ]),
    );
    const row = rows[0];
    if (row === undefined) throw invalidToken();
    return row.user_id;
  }

  private async run<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      throw unavailable('account token store', error);
    }
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

function invalidToken(): ApoJwtError {
  return new ApoJwtError('ERR_ACCOUNT_TOKEN_INVALID', 'the token is unknown, already used or expired');
}

function ttl(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 60 || value > 30 * 86_400)
    throw new ApoJwtConfigError(`PostgresAccountFlows: ${name} must be an integer from 60 to 2592000`);
  return value;
}
