import { createHash, randomBytes } from 'node:crypto';
import { ApoJwtConfigError, ApoJwtError, knownKeys, type CreateTokenInput, type LoginContext } from '@apojwt/core';
import { createLogin, LoginLimiter, type LoginOptions, type LoginUser } from '@apojwt/auth';
import { isDatabase, unavailable, type Database } from './database.js';
import type { PostgresTwoFactor } from './two-factor.js';

/** What the password step would have signed: kept with the challenge, signed by the second step. */
type TokenInput = CreateTokenInput<string, object, object>;

/** What the two-step login needs of an ApoJwt instance. */
export interface TwoFactorIssuer<T> {
  createToken(input?: TokenInput): T;
}

export interface TwoFactorLoginOptions<T, U extends LoginUser> {
  db: Database;
  apo: TwoFactorIssuer<T>;
  twoFactor: PostgresTwoFactor;
  /** The password step: `passwordLogin`'s options (its limiter guards this step). */
  password: LoginOptions<U>;
  /** Limits on the second step, per account and per IP: a LoginLimiter, its options, or false. Default: in-memory, default rules. */
  limiter?: LoginLimiter | ConstructorParameters<typeof LoginLimiter>[0] | false;
  /** Lifetime of the second step's token, seconds (30 to 900). Default 300. */
  challengeTtlSeconds?: number;
  /** Clock in milliseconds; default `Date.now`. */
  now?: () => number;
}

/** The first step's answer: the tokens, or that a code is needed. */
export type FirstStep<T> = { readonly tokens: T; readonly otpRequired?: undefined } | { readonly otpRequired: true; readonly challenge: string; readonly expiresIn: number };

export interface TwoFactorLogin<T> {
  /** Password step. Without 2FA on the account: the tokens. With it: a short-lived, single-use challenge, and no token. */
  login(username: string, password: string, context?: LoginContext): Promise<FirstStep<T>>;
  /** Second step: the challenge and a TOTP or backup code → the tokens. ERR_OTP_INVALID (401), ERR_RATE_LIMITED (429). */
  complete(challenge: unknown, code: unknown, context?: LoginContext): Promise<T>;
}

/**
 * Login with a second factor. The password step runs `passwordLogin`'s
 * checks but issues nothing while the account has 2FA on: what the tokens
 * would contain is kept server-side with a challenge (32 random bytes, stored
 * as SHA-256, single-use, five minutes by default). That challenge is good
 * for one thing only, the second step: it is not a JWT, and no verifier
 * accepts it. The second step is limited per account and per IP like the
 * password (a LoginLimiter), so the 10^6 codes cannot be walked through.
 */
export function twoFactorLogin<T, U extends LoginUser>(options: TwoFactorLoginOptions<T, U>): TwoFactorLogin<T> {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('twoFactorLogin needs options');
  knownKeys('twoFactorLogin', options, ['db', 'apo', 'twoFactor', 'password', 'limiter', 'challengeTtlSeconds', 'now']);
  const { db, apo, twoFactor } = options;
  if (!isDatabase(db)) throw new ApoJwtConfigError('twoFactorLogin: db must be a Database');
  if (typeof apo?.createToken !== 'function') throw new ApoJwtConfigError('twoFactorLogin: apo must be an ApoJwt instance');
  if (typeof twoFactor?.verify !== 'function') throw new ApoJwtConfigError('twoFactorLogin: twoFactor must be a PostgresTwoFactor');
  const ttl = options.challengeTtlSeconds ?? 300;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 30 || ttl > 900) throw new ApoJwtConfigError('twoFactorLogin: challengeTtlSeconds must be an integer from 30 to 900');
  const now = options.now ?? Date.now;
  const seconds = (): number => Math.floor(now() / 1000);
  const limiter = options.limiter === false ? undefined : options.limiter instanceof LoginLimiter ? options.limiter : new LoginLimiter(options.limiter);
  // The password step with an issuer that hands back what it would sign.
  const capture = { createToken: (input?: TokenInput) => input ?? {} };
  const passwordStep = createLogin(capture as never, options.password) as unknown as (u: string, p: string, c?: LoginContext) => Promise<TokenInput>;
  const run = async <R>(statement: () => Promise<R>): Promise<R> => {
    try {
      return await statement();
    } catch (error) {
      throw unavailable('login challenge store', error);
    }
  };

  return Object.freeze({
    async login(username: string, password: string, context: LoginContext = {}): Promise<FirstStep<T>> {
      const input = await passwordStep(username, password, context);
      const sub = input.sub as string;
      if (!(await twoFactor.isEnabled(sub))) return { tokens: apo.createToken(input) };
      const challenge = randomBytes(32).toString('base64url');
      await run(() =>
        db.query('INSERT INTO apojwt_login_challenges (token_hash, user_id, tokens, expires_at) VALUES ($1, $2, $3, $4)', [digest(challenge), sub, JSON.stringify(input), seconds() + ttl]),
      );
      return { otpRequired: true, challenge, expiresIn: ttl };
    },

    async complete(challenge: unknown, code: unknown, context: LoginContext = {}): Promise<T> {
      if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) throw invalid();
      const hash = digest(challenge);
      const { rows } = await run(() =>
        db.query<{ user_id: string; tokens: string }>('SELECT user_id, tokens FROM apojwt_login_challenges WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2', [hash, seconds()]),
      );
      const found = rows[0];
      if (found === undefined) throw invalid();
      // Counted under the account, not the challenge: a new password step does not reset the count.
      const attempt = await limiter?.begin(`2fa:${found.user_id}`, typeof context.ip === 'string' ? context.ip : undefined);
      try {
        await twoFactor.verify(found.user_id, code);
      } catch (error) {
        if (error instanceof ApoJwtError && error.code === 'ERR_OTP_INVALID') await attempt?.failed();
        else await attempt?.abandoned();
        throw error;
      }
      await attempt?.succeeded();
      // Single use: of two completions racing with one challenge, one gets the tokens.
      const used = await run(() => db.query('UPDATE apojwt_login_challenges SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL RETURNING 1', [hash, seconds()]));
      if (used.rows.length === 0) throw invalid();
      return apo.createToken(JSON.parse(found.tokens) as TokenInput);
    },
  });
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

function invalid(): ApoJwtError {
  return new ApoJwtError('ERR_OTP_INVALID', 'the second login step is unknown, used or expired');
}
