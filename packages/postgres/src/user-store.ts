import { randomUUID } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError, knownKeys } from '@apojwt/core';
import { hashPassword, MAX_CREDENTIAL_BYTES, needsRehash, type LoginUser, type PasswordHashOptions } from '@apojwt/auth';
import { isDatabase, seconds, sqlState, UNIQUE_VIOLATION, unavailable, type Database } from './database.js';
import { normaliseEmail, normaliseIdentifier, normaliseUsername } from './identity.js';

/** An account as the app sees it (never its password hash). */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly username: string | undefined;
  /** Permission names from the app's permission model, granted to the account's tokens. */
  readonly roles: readonly string[];
  readonly verified: boolean;
  readonly disabled: boolean;
  /** Unix seconds. */
  readonly createdAt: number;
}

export interface RegisterInput {
  email: unknown;
  username?: unknown;
  password: unknown;
  roles?: readonly string[];
}

export interface UserStoreOptions {
  /** Shortest password accepted at registration, in code points. Default 8 (NIST SP 800-63B §5.1.1.1). */
  minPasswordLength?: number;
  /** Options for new hashes (`hashPassword`). */
  hash?: PasswordHashOptions;
  /** Clock, Unix seconds; default the system clock. */
  now?: () => number;
}

/** `passwordLogin`'s options for accounts of this store. */
export interface StoreLoginOptions extends PasswordHashOptions {
  getUser(login: string): Promise<LoginUser | undefined>;
  onRehash(user: LoginUser, newHash: string): Promise<void>;
}

/** What can revoke a subject's tokens: an ApoJwt instance. */
export interface SubjectRevoker {
  revokeSubject(sub: string): Promise<void>;
}

interface UserRow {
  id: string;
  email: string;
  username: string | null;
  password_hash: string;
  roles: string[] | null;
  verified: boolean;
  disabled: boolean;
  created_at: unknown;
}

const COLUMNS = 'id, email, username, password_hash, roles, verified, disabled, created_at';

/**
 * Users on PostgreSQL (or PGlite). Emails and usernames are stored
 * normalised (NFKC, then lower-case: see `normaliseIdentifier`) under unique
 * constraints, so a duplicate is refused by the database itself, even between
 * two registrations racing on two services: the unique violation becomes
 * ERR_ACCOUNT_EXISTS (409). Every value reaches SQL as a parameter.
 */
export class PostgresUserStore {
  private readonly minPasswordLength: number;
  private readonly hash: PasswordHashOptions;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    options: UserStoreOptions = {},
  ) {
    if (!isDatabase(db)) throw new ApoJwtConfigError('PostgresUserStore needs a Database (pgDatabase(pool) or pgliteDatabase(pglite))');
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('PostgresUserStore options must be an object');
    knownKeys('PostgresUserStore', options, ['minPasswordLength', 'hash', 'now']);
    const min = options.minPasswordLength ?? 8;
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 1 || min > 1024) throw new ApoJwtConfigError('PostgresUserStore: minPasswordLength must be an integer from 1 to 1024');
    if (options.now !== undefined && typeof options.now !== 'function') throw new ApoJwtConfigError('PostgresUserStore: now must be a function');
    this.minPasswordLength = min;
    this.hash = { ...options.hash };
    // needsRehash validates the hash options: a bad cost fails here, not at the first registration.
    needsRehash('', this.hash);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /**
   * Creates an account. ERR_EMAIL_INVALID / ERR_USERNAME_INVALID /
   * ERR_PASSWORD_INVALID (400) for bad input, ERR_ACCOUNT_EXISTS (409) when
   * the email or username is taken, ERR_STORE_UNAVAILABLE (503) when the
   * database cannot answer.
   */
  async register(input: RegisterInput): Promise<Account> {
    if (input === null || typeof input !== 'object') throw new ApoJwtError('ERR_BODY_INVALID', 'registration needs an object');
    const email = normaliseEmail(input.email);
    const username = input.username === undefined || input.username === null ? null : normaliseUsername(input.username);
    const password = this.checkPassword(input.password);
    const roles = rolesOf(input.roles);
    const passwordHash = await hashPassword(password, this.hash);
    const row = { id: randomUUID(), email, username, password_hash: passwordHash, roles, verified: false, disabled: false, created_at: this.now() };
    try {
      await this.db.query(`INSERT INTO apojwt_users (${COLUMNS}) VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8)`, [
        row.id,
        row.email,
        row.username,
        row.password_hash,
        row.roles,
        row.verified,
        row.disabled,
        row.created_at,
      ]);
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) throw new ApoJwtError('ERR_ACCOUNT_EXISTS', 'an account with this email or username already exists', {}, { cause: error });
      throw unavailable('user store', error);
    }
    return account(row);
  }

  /** The account with this id, or undefined. */
  async findById(id: string): Promise<Account | undefined> {
    const row = await this.one(`SELECT ${COLUMNS} FROM apojwt_users WHERE id = $1`, [String(id)]);
    return row === undefined ? undefined : account(row);
  }

  /**
   * The account a login name designates, with its password hash: an email
   * when it holds "@", else a username, normalised like at registration. A
   * name that could never have been registered finds nothing (no error: the
   * login answers it like a wrong password).
   */
  async findForLogin(login: string): Promise<(Account & { readonly passwordHash: string }) | undefined> {
    if (typeof login !== 'string' || login.length === 0 || Buffer.byteLength(login, 'utf8') > MAX_CREDENTIAL_BYTES) return undefined;
    const name = normaliseIdentifier(login);
    const column = name.includes('@') ? 'email' : 'username';
    const row = await this.one(`SELECT ${COLUMNS} FROM apojwt_users WHERE ${column} = $1`, [name]);
    return row === undefined ? undefined : { ...account(row), passwordHash: row.password_hash };
  }

  /**
   * `getUser` and `onRehash` for `passwordLogin`: the account's id is the
   * subject, its roles the permissions, and a disabled account is refused
   * (ERR_ACCOUNT_DISABLED, once the password was right). With the store's
   * own `hash` options (algorithm, cost, argon2) when it was given any: the
   * login checks an unknown name against a dummy hash of those settings and
   * rehashes to them, so an unknown account costs what a wrong password on
   * a stored hash costs, and a login never rehashes to another algorithm
   * than registration makes.
   */
  loginOptions(): StoreLoginOptions {
    const { algorithm, cost, argon2 } = this.hash;
    return {
      ...(algorithm !== undefined && { algorithm }),
      ...(cost !== undefined && { cost }),
      ...(argon2 !== undefined && { argon2 }),
      getUser: async (login) => {
        const found = await this.findForLogin(login);
        if (found === undefined) return undefined;
        return { sub: found.id, passwordHash: found.passwordHash, permissions: found.roles, disabled: found.disabled };
      },
      onRehash: (user, newHash) => this.setPasswordHash(user.sub, newHash),
    };
  }

  /** Replaces the stored hash (after a rehash on login, or a password change). */
  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.update('UPDATE apojwt_users SET password_hash = $2 WHERE id = $1 RETURNING id', [id, passwordHash]);
  }

  /** Replaces the account's roles. */
  async setRoles(id: string, roles: readonly string[]): Promise<void> {
    await this.update('UPDATE apojwt_users SET roles = $2::text[] WHERE id = $1 RETURNING id', [id, rolesOf(roles)]);
  }

  /** Marks the email verified. */
  async markVerified(id: string): Promise<void> {
    await this.update('UPDATE apojwt_users SET verified = true WHERE id = $1 RETURNING id', [id]);
  }

  /**
   * Disables the account: its next login is refused, and with `apo` every
   * token already issued to it stops working on every service sharing the
   * revocation store (`revokeSubject`). The flag is written first, so a
   * login racing the revocation cannot mint a token that outlives it.
   */
  async disable(id: string, apo?: SubjectRevoker): Promise<void> {
    await this.update('UPDATE apojwt_users SET disabled = true WHERE id = $1 RETURNING id', [id]);
    if (apo !== undefined) await apo.revokeSubject(id);
  }

  /** Lets a disabled account log in again (its old tokens stay revoked). */
  async enable(id: string): Promise<void> {
    await this.update('UPDATE apojwt_users SET disabled = false WHERE id = $1 RETURNING id', [id]);
  }

  /** A password a registration (or a reset) accepts, NFC-normalised like `hashPassword` does. */
  checkPassword(password: unknown): string {
    if (typeof password !== 'string') throw new ApoJwtError('ERR_PASSWORD_INVALID', 'the password must be a string');
    const length = [...password.normalize('NFC')].length;
    if (length < this.minPasswordLength) throw new ApoJwtError('ERR_PASSWORD_INVALID', `the password must have at least ${this.minPasswordLength} characters`);
    // Longer than the login reads: it could never be typed in again.
    if (Buffer.byteLength(password, 'utf8') > MAX_CREDENTIAL_BYTES) throw new ApoJwtError('ERR_PASSWORD_INVALID', `the password must be at most ${MAX_CREDENTIAL_BYTES} bytes`);
    return password;
  }

  private async one(text: string, params: unknown[]): Promise<UserRow | undefined> {
    try {
      return (await this.db.query<UserRow>(text, params)).rows[0];
    } catch (error) {
      throw unavailable('user store', error);
    }
  }

  private async update(text: string, params: unknown[]): Promise<void> {
    const row = await this.one(text, params);
    if (row === undefined) throw new ApoJwtConfigError('no account has this id');
  }
}

function account(row: Omit<UserRow, 'roles'> & { roles: readonly string[] | null }): Account {
  return Object.freeze({
    id: row.id,
    email: row.email,
    username: row.username ?? undefined,
    roles: Object.freeze([...(row.roles ?? [])]),
    verified: row.verified === true,
    disabled: row.disabled === true,
    createdAt: seconds(row.created_at),
  });
}

function rolesOf(roles: unknown): string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string' && role.length > 0 && role.length <= 200)) {
    throw new ApoJwtConfigError('roles must be an array of non-empty permission names');
  }
  return [...new Set(roles as string[])];
}
