import { createHash, randomBytes } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError, knownKeys } from '@apojwt/core';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { isDatabase, unavailable, type Database } from './database.js';

export interface TwoFactorOptions {
  db: Database;
  /** Shown by authenticator apps above the account name. */
  issuer: string;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

export interface TotpEnrolment {
  /** The shared secret in base32, for typing into an app by hand. */
  readonly secret: string;
  /** `otpauth://totp/…` (the Key Uri Format authenticator apps read). */
  readonly uri: string;
  /** The URI as a QR code, an SVG document. */
  readonly qrSvg: string;
}

/** RFC 6238 defaults, which every authenticator app supports: SHA-1, 6 digits, 30 s. */
const PERIOD = 30;
const DIGITS = 6;
/** One step either side: a code typed as it changes, or a phone clock a little off. */
const WINDOW = 1;
export const BACKUP_CODE_COUNT = 10;

/**
 * TOTP (RFC 6238) second factor on PostgreSQL, with backup codes.
 *
 * - A code is accepted once: the row keeps the last accepted time step, and a
 *   code is taken only for a later step, in one UPDATE (two concurrent uses
 *   of one code: one wins). So a code seen over a shoulder or replayed from
 *   a log is refused within its window.
 * - Backup codes are 16 base32 characters (80 random bits), shown once and
 *   stored as SHA-256 (at 80 bits a fast hash is enough), single-use.
 * - The secret is stored as given to the app (it is needed to compute codes);
 *   protect the table like a password-reset capability, or encrypt the column.
 */
export class PostgresTwoFactor {
  private readonly db: Database;
  private readonly issuer: string;
  private readonly now: () => number;

  constructor(options: TwoFactorOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('PostgresTwoFactor needs options');
    knownKeys('PostgresTwoFactor', options, ['db', 'issuer', 'now']);
    if (!isDatabase(options.db)) throw new ApoJwtConfigError('PostgresTwoFactor: db must be a Database');
    if (typeof options.issuer !== 'string' || options.issuer.length === 0 || options.issuer.includes(':'))
      throw new ApoJwtConfigError('PostgresTwoFactor: issuer must be a non-empty string without ":"');
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('PostgresTwoFactor: now must be a function');
    this.db = options.db;
    this.issuer = options.issuer;
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts (or restarts) enrolment: a new secret, not used for logins until
   * `confirm` sees a first code from it. Refused while 2FA is on
   * (ERR_TWO_FACTOR_ENABLED, 409): a new secret would silently replace the
   * one the user's app holds; disable first, which takes a code.
   */
  async enrol(userId: string, accountName: string): Promise<TotpEnrolment> {
    if (await this.isEnabled(userId)) throw new ApoJwtError('ERR_TWO_FACTOR_ENABLED', 'two-factor login is already on for this account: disable it first');
    const secret = new Secret({ size: 20 });
    await this.run(() =>
      this.db.query(
        `INSERT INTO apojwt_totp (user_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, false, NULL, $3)
         ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, confirmed = false, last_step = NULL, created_at = EXCLUDED.created_at`,
        [userId, secret.base32, Math.floor(this.now() / 1000)],
      ),
    );
    const uri = this.totp(secret.base32, accountName).toString();
    return Object.freeze({ secret: secret.base32, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M' }) });
  }

  /**
   * Turns 2FA on with a first code from the app, and returns the ten backup
   * codes (shown once: only their hashes are kept). ERR_OTP_INVALID (401) for a wrong code.
   */
  async confirm(userId: string, code: unknown): Promise<string[]> {
    const row = await this.row(userId);
    if (row === undefined || row.confirmed) throw invalid();
    const step = this.matchingStep(row.secret, code);
    if (step === undefined) throw invalid();
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, () => backupCode());
    await this.run(() =>
      this.db.transaction(async (tx) => {
        const { rows } = await tx.query('UPDATE apojwt_totp SET confirmed = true, last_step = $2 WHERE user_id = $1 AND confirmed = false RETURNING 1', [userId, step]);
        if (rows.length === 0) throw invalid();
        await tx.query('DELETE FROM apojwt_backup_codes WHERE user_id = $1', [userId]);
        for (const backup of codes) await tx.query('INSERT INTO apojwt_backup_codes (user_id, code_hash) VALUES ($1, $2)', [userId, digest(normaliseBackup(backup) as string)]);
      }),
    );
    return codes;
  }

  /** True once `confirm` turned 2FA on. */
  async isEnabled(userId: string): Promise<boolean> {
    return (await this.row(userId))?.confirmed === true;
  }

  /**
   * Checks a second factor: a current TOTP code (once per time step) or an
   * unused backup code (once). ERR_OTP_INVALID (401) otherwise, the same for
   * wrong, replayed and used codes.
   */
  async verify(userId: string, code: unknown): Promise<{ kind: 'totp' | 'backup' }> {
    const row = await this.row(userId);
    if (row === undefined || !row.confirmed) throw invalid();
    const backup = normaliseBackup(code);
    if (backup !== undefined) {
      const { rows } = await this.run(() =>
        this.db.query('UPDATE apojwt_backup_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING 1', [
          userId,
          digest(backup),
          Math.floor(this.now() / 1000),
        ]),
      );
      if (rows.length === 0) throw invalid();
      return { kind: 'backup' };
    }
    const step = this.matchingStep(row.secret, code);
    if (step === undefined) throw invalid();
    const { rows } = await this.run(() =>
      this.db.query('UPDATE apojwt_totp SET last_step = $2 WHERE user_id = $1 AND confirmed AND (last_step IS NULL OR last_step < $2) RETURNING 1', [userId, step]),
    );
    if (rows.length === 0) throw invalid(); // this step (or a later one) was already used: a replay
    return { kind: 'totp' };
  }

  /** How many backup codes are left. */
  async backupCodesLeft(userId: string): Promise<number> {
    const { rows } = await this.run(() => this.db.query<{ n: unknown }>('SELECT count(*) AS n FROM apojwt_backup_codes WHERE user_id = $1 AND used_at IS NULL', [userId]));
    return Number(rows[0]?.n ?? 0);
  }

  /** Turns 2FA off, given a valid second factor (a TOTP or backup code). */
  async disable(userId: string, code: unknown): Promise<void> {
    await this.verify(userId, code);
    await this.run(() =>
      this.db.transaction(async (tx) => {
        await tx.query('DELETE FROM apojwt_totp WHERE user_id = $1', [userId]);
        await tx.query('DELETE FROM apojwt_backup_codes WHERE user_id = $1', [userId]);
      }),
    );
  }

  private totp(secret: string, label: string): TOTP {
    return new TOTP({ issuer: this.issuer, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });
  }

  /** The time step a code belongs to, within the window, or undefined. */
  private matchingStep(secret: string, code: unknown): number | undefined {
    if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return undefined;
    const timestamp = this.now();
    const delta = this.totp(secret, 'check').validate({ token: code, timestamp, window: WINDOW });
    return delta === null ? undefined : Math.floor(timestamp / 1000 / PERIOD) + delta;
  }

  private async row(userId: string): Promise<{ secret: string; confirmed: boolean } | undefined> {
    if (typeof userId !== 'string' || userId.length === 0) return undefined;
    const { rows } = await this.run(() => this.db.query<{ secret: string; confirmed: boolean }>('SELECT secret, confirmed FROM apojwt_totp WHERE user_id = $1', [userId]));
    return rows[0];
  }

  private async run<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      throw unavailable('two-factor store', error);
    }
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function backupCode(): string {
  const bytes = randomBytes(16);
  const chars = Array.from(bytes, (byte) => BASE32[byte & 31] as string).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
}

/** A backup code as typed (any case, with or without dashes or spaces), or undefined when it cannot be one. */
function normaliseBackup(code: unknown): string | undefined {
  if (typeof code !== 'string' || code.length > 40) return undefined;
  const plain = code.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z2-7]{16}$/.test(plain) ? plain : undefined;
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

function invalid(): ApoJwtError {
  return new ApoJwtError('ERR_OTP_INVALID', 'the one-time code is wrong or was already used');
}
