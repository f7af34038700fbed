import { randomBytes } from 'node:crypto';
import {
  ApoJwtConfigError,
  ApoJwtError,
  type CreateTokenInput,
  type CreateTokenResult,
  type LoginFunction,
  type LoginSetup,
  type PermissionGrant,
  type RegisteredData,
  type RegisteredPermission,
  type RegisteredRefreshData,
} from '@apojwt/core';
import { knownKeys } from '@apojwt/core';
import { hashPassword, hashSettings, isPasswordHash, needsRehash, verifyPassword, type Argon2Options, type HashSettings, type PasswordAlgorithm } from './password.js';
import { LoginLimiter } from './login-limiter.js';

/** What `getUser` returns for an existing account. */
export interface LoginUser<P extends string = RegisteredPermission, D extends object = RegisteredData, R extends object = RegisteredRefreshData> {
  /** The token subject (user id). */
  sub: string;
  /** The stored hash from `hashPassword`. */
  passwordHash: string;
  permissions?: readonly PermissionGrant<P>[];
  /** Roles declared in the instance's `roles` option: expanded into `perms` or written as a `roles` claim (`rolesInToken`). */
  roles?: readonly string[];
  data?: D;
  refreshData?: R;
  /** `true` refuses the login with ERR_ACCOUNT_DISABLED (after the password was checked). */
  disabled?: boolean;
}

/**
 * A login user of any permission names and payloads, as a constraint. The
 * permission grants make LoginUser invariant in `P`, so no concrete
 * instantiation accepts every user type; the erasure is written once, here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyLoginUser = LoginUser<any, any, any>;

export type MaybePromise<T> = T | Promise<T>;

export interface LoginOptions<U extends AnyLoginUser = LoginUser> {
  /** Looks the account up, sync or async. `undefined`/`null` when there is none. */
  getUser: (username: string) => MaybePromise<U | undefined | null>;
  /** Algorithm of rehashed passwords (and of the timing dummy). Default argon2id; bcrypt when only `cost` is given. */
  algorithm?: PasswordAlgorithm;
  /** bcrypt cost for the timing dummy and for rehashing. Default 12. */
  cost?: number;
  /** argon2id parameters for rehashing; default OWASP's (19 MiB, 2 iterations, 1 lane). */
  argon2?: Argon2Options;
  /** Called after a successful login whose hash `needsRehash`, with a fresh hash to store. Awaited: a throw fails the login. */
  onRehash?: (user: U, newHash: string) => MaybePromise<void>;
  /** Refuses an account (ERR_ACCOUNT_DISABLED, 403); only asked once the password is known to be right. */
  isDisabled?: (user: U) => MaybePromise<boolean>;
  /** Brute-force limits: a LoginLimiter, its options, or `false` for none. Default: in-memory, default rules. */
  limiter?: LoginLimiter | ConstructorParameters<typeof LoginLimiter>[0] | false;
}

/** Longest username or password accepted, in UTF-8 bytes: larger bodies are not credentials. */
export const MAX_CREDENTIAL_BYTES = 4096;

/** What the login issues tokens with: an ApoJwt instance. */
export interface TokenIssuer<P extends string, D extends object, R extends object, HasRefresh extends boolean> {
  createToken(input?: CreateTokenInput<P, D, R>): CreateTokenResult<HasRefresh>;
}

/**
 * The password login as a setup for the `login` option or `configLogin`:
 * `createApoJwt({ ..., login: passwordLogin({ getUser }) })`.
 */
export function passwordLogin<U extends LoginUser>(options: LoginOptions<U>): LoginSetup {
  // Checked here, where the app wrote the options, not when an instance first uses them.
  const settings = loginSettings(options);
  return (apo) => buildLogin(apo as TokenIssuer<string, object, object, boolean>, settings);
}

interface LoginSettings<U extends AnyLoginUser> {
  readonly getUser: LoginOptions<U>['getUser'];
  readonly onRehash: LoginOptions<U>['onRehash'];
  readonly isDisabled: LoginOptions<U>['isDisabled'];
  readonly hash: HashSettings;
  readonly limiter: LoginLimiter | undefined;
}

function loginSettings<U extends AnyLoginUser>(options: LoginOptions<U>): LoginSettings<U> {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('login needs an options object');
  knownKeys('login', options, ['getUser', 'algorithm', 'cost', 'argon2', 'onRehash', 'isDisabled', 'limiter']);
  if (typeof options.getUser !== 'function') throw new ApoJwtConfigError('login: getUser must be a function');
  for (const hook of ['onRehash', 'isDisabled'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') throw new ApoJwtConfigError(`login: ${hook} must be a function`);
  }
  const hash = hashSettings(
    {
      ...(options.algorithm !== undefined && { algorithm: options.algorithm }),
      ...(options.cost !== undefined && { cost: options.cost }),
      ...(options.argon2 !== undefined && { argon2: options.argon2 }),
    },
    'login',
  );
  const limiter = options.limiter === false ? undefined : options.limiter instanceof LoginLimiter ? options.limiter : new LoginLimiter(options.limiter);
  return { getUser: options.getUser, onRehash: options.onRehash, isDisabled: options.isDisabled, hash, limiter };
}

/**
 * Builds `login(username, password, { ip })`: checks the limits, looks the
 * user up, checks the password and returns `apo.createToken(...)` (the pair
 * when refresh is configured).
 *
 * An unknown user and a wrong password throw the same ERR_CREDENTIALS_INVALID
 * after the same work: an unknown user's password is checked against a dummy
 * hash of the configured algorithm and parameters (OWASP Authentication Cheat Sheet,
 * "Authentication Responses"). A disabled account is reported only after its
 * password was verified, so the 403 tells nothing to someone without it.
 */
export function createLogin<P extends string, D extends object, R extends object, HasRefresh extends boolean, U extends LoginUser<P, D, R>>(
  apo: TokenIssuer<P, D, R, HasRefresh>,
  options: LoginOptions<U>,
): LoginFunction<HasRefresh> {
  return buildLogin(apo, loginSettings(options));
}

function buildLogin<P extends string, D extends object, R extends object, HasRefresh extends boolean, U extends LoginUser<P, D, R>>(
  apo: TokenIssuer<P, D, R, HasRefresh>,
  { getUser, onRehash, isDisabled, hash, limiter }: LoginSettings<U>,
): LoginFunction<HasRefresh> {
  // Made now, in the background, so the first unknown-user login is not
  // slower by a whole hash than the ones after it.
  const dummyHash = hashPassword(randomBytes(18).toString('base64url'), hash);
  dummyHash.catch(() => undefined);

  return async function login(username, password, context = {}) {
    if (!isCredential(username) || !isCredential(password)) {
      throw new ApoJwtError('ERR_BODY_INVALID', `username and password must be strings of at most ${MAX_CREDENTIAL_BYTES} bytes`);
    }
    const ip = typeof context?.ip === 'string' ? context.ip : undefined;
    const attempt = await limiter?.begin(username, ip);

    let user: U | undefined;
    let realHash: boolean;
    let matches: boolean;
    try {
      const found = username.length > 0 ? await getUser(username) : undefined;
      user = found === null || found === undefined ? undefined : found;
      realHash = user !== undefined && isPasswordHash(user.passwordHash);
      matches = await verifyPassword(password, realHash ? (user as U).passwordHash : await dummyHash);
    } catch (error) {
      // A failing user store is not a wrong guess: it must not lock anyone out.
      await attempt?.abandoned();
      throw error;
    }
    if (!realHash || !matches) {
      await attempt?.failed();
      throw new ApoJwtError('ERR_CREDENTIALS_INVALID', 'invalid username or password');
    }
    const account = user as U;
    await attempt?.succeeded();
    if (account.disabled === true || (isDisabled !== undefined && (await isDisabled(account)) === true)) {
      throw new ApoJwtError('ERR_ACCOUNT_DISABLED', 'the account is disabled');
    }
    if (onRehash !== undefined && needsRehash(account.passwordHash, hash)) {
      await onRehash(account, await hashPassword(password, hash));
    }
    return apo.createToken({
      sub: account.sub,
      ...(account.permissions !== undefined && { permissions: account.permissions }),
      ...(account.roles !== undefined && { roles: account.roles }),
      ...(account.data !== undefined && { data: account.data }),
      ...(account.refreshData !== undefined && { refreshData: account.refreshData }),
    });
  };
}

function isCredential(value: unknown): value is string {
  return typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= MAX_CREDENTIAL_BYTES;
}
