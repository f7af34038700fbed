import { ApoJwtConfigError, ApoJwtError, knownKeys, refreshCookie, tokenResponse, type AuthResponse, type RefreshCookieOptions, type TokenLifetimes, type TokenPair } from '@apojwt/core';
import { LoginLimiter, type LoginLimiterOptions } from '@apojwt/auth';
import { bodyFields, jsonAnswer, noContent, refusalsAnswered, subjectOf, type SubjectVerifier } from './http-answers.js';
import { recordSession, type SessionRecorder } from './session-login.js';
import type { AccountRequest } from './account-handlers.js';
import type { PostgresSessionStore } from './session-store.js';
import type { PostgresTwoFactor } from './two-factor.js';
import type { TwoFactorLogin } from './two-factor-login.js';
import type { PostgresUserStore } from './user-store.js';

/** What the two-factor endpoints need of an ApoJwt instance. */
export interface TwoFactorEndpointIssuer extends SubjectVerifier, TokenLifetimes {
  readonly realm?: string | undefined;
}

export interface TwoFactorHandlersOptions {
  apo: TwoFactorEndpointIssuer & Partial<SessionRecorder>;
  users: PostgresUserStore;
  twoFactor: PostgresTwoFactor;
  /** The two login steps (`twoFactorLogin`), built on the same instance. */
  login: TwoFactorLogin<unknown>;
  /** Each login, with or without a second step, becomes a session here (needs refresh tokens). */
  sessions?: PostgresSessionStore;
  /** The refresh cookie: give the same options as to the refresh and logout endpoints. */
  cookie?: RefreshCookieOptions;
  /**
   * Limits on confirming and turning off 2FA, per account and per IP: a
   * LoginLimiter, its options, or false. Default: in memory, the login rules
   * (5 wrong codes per 15 minutes). The login's second step has its own, in `twoFactorLogin`.
   */
  limiter?: LoginLimiter | LoginLimiterOptions | false;
}

/** The second-factor endpoints, framework-free like the other account handlers. */
export interface TwoFactorHandlers {
  /**
   * JSON `{ username, password }` → 200 `{ accessToken, tokenType, expiresIn }`
   * (+ refresh cookie) for an account without 2FA; with 2FA on, 200
   * `{ otpRequired: true, challenge, expiresIn }` and no token.
   */
  login(request: AccountRequest): Promise<AuthResponse>;
  /** JSON `{ challenge, code }` (a TOTP or backup code) → 200 like login; 401 ERR_OTP_INVALID, 429 ERR_RATE_LIMITED. */
  completeLogin(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 200 `{ enabled, backupCodesLeft }`. */
  status(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 200 `{ secret, uri, qrSvg }` (a new secret, not in force until confirmed); 409 ERR_TWO_FACTOR_ENABLED while on. */
  enrol(request: AccountRequest): Promise<AuthResponse>;
  /** Access token + JSON `{ code }` (the app's first code) → 200 `{ backupCodes }`, shown once; 401 ERR_OTP_INVALID. */
  confirm(request: AccountRequest): Promise<AuthResponse>;
  /** Access token + JSON `{ code }` (a current TOTP or backup code) → 204, 2FA off; 401 ERR_OTP_INVALID. */
  disable(request: AccountRequest): Promise<AuthResponse>;
}

/**
 * HTTP answers over `PostgresTwoFactor` and `twoFactorLogin`. Every code a
 * user types is limited (the login's second step by `twoFactorLogin`,
 * confirm and disable here), so an access token alone cannot walk the 10^6
 * codes to turn the factor off. Enrolment names the account by its email,
 * as authenticator apps show it.
 */
export function createTwoFactorHandlers(options: TwoFactorHandlersOptions): TwoFactorHandlers {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('createTwoFactorHandlers needs { apo, users, twoFactor, login }');
  knownKeys('createTwoFactorHandlers', options, ['apo', 'users', 'twoFactor', 'login', 'sessions', 'cookie', 'limiter']);
  const { apo, users, twoFactor, login, sessions } = options;
  if (apo === null || typeof apo?.verify !== 'function' || typeof apo.expPeriod !== 'number') throw new ApoJwtConfigError('createTwoFactorHandlers: apo must be an ApoJwt instance');
  if (typeof users?.findById !== 'function') throw new ApoJwtConfigError('createTwoFactorHandlers: users must be a PostgresUserStore');
  if (typeof twoFactor?.enrol !== 'function') throw new ApoJwtConfigError('createTwoFactorHandlers: twoFactor must be a PostgresTwoFactor');
  if (typeof login?.complete !== 'function') throw new ApoJwtConfigError('createTwoFactorHandlers: login must be a twoFactorLogin');
  if (sessions !== undefined && (typeof sessions?.start !== 'function' || typeof apo.verifyRefresh !== 'function' || typeof apo.revokeFamily !== 'function')) {
    throw new ApoJwtConfigError('createTwoFactorHandlers: sessions needs a PostgresSessionStore and an instance with refresh tokens');
  }
  const cookie = refreshCookie(options.cookie);
  if (options.limiter !== undefined && options.limiter !== false && (options.limiter === null || typeof options.limiter !== 'object')) {
    throw new ApoJwtConfigError('createTwoFactorHandlers: limiter must be a LoginLimiter, its options, or false');
  }
  const limiter = options.limiter === false ? undefined : options.limiter instanceof LoginLimiter ? options.limiter : new LoginLimiter({ prefix: 'apojwt:2fa-manage:', ...options.limiter });
  const realm = typeof apo.realm === 'string' ? apo.realm : undefined;
  const answer = refusalsAnswered(realm);
  const clientOf = (request: AccountRequest | undefined) => ({
    ...(typeof request?.ip === 'string' && { ip: request.ip }),
    ...(typeof request?.userAgent === 'string' && { userAgent: request.userAgent }),
  });
  const tokens = async (issued: unknown, request: AccountRequest | undefined): Promise<AuthResponse> => {
    const result = sessions === undefined ? issued : await recordSession(apo as SessionRecorder, sessions, issued, clientOf(request));
    return tokenResponse(apo, cookie, result as string | TokenPair);
  };
  /** A code typed by a signed-in user, counted like a password. */
  const withCode = async <T>(sub: string, request: AccountRequest | undefined, use: (code: unknown) => Promise<T>): Promise<T> => {
    const attempt = await limiter?.begin(sub, request?.ip);
    try {
      const result = await use(bodyFields(request?.body)['code']);
      await attempt?.succeeded();
      return result;
    } catch (error) {
      if (error instanceof ApoJwtError && error.code === 'ERR_OTP_INVALID') await attempt?.failed();
      else await attempt?.abandoned();
      throw error;
    }
  };

  return Object.freeze({
    login: (request: AccountRequest) =>
      answer(async () => {
        const { username, password } = bodyFields(request?.body);
        if (typeof username !== 'string' || typeof password !== 'string') throw new ApoJwtError('ERR_BODY_INVALID', 'the body must hold string "username" and "password"');
        const first = await login.login(username, password, clientOf(request));
        if (first.otpRequired === true) return jsonAnswer(200, { otpRequired: true, challenge: first.challenge, expiresIn: first.expiresIn });
        return tokens(first.tokens, request);
      }),
    completeLogin: (request: AccountRequest) =>
      answer(async () => {
        const { challenge, code } = bodyFields(request?.body);
        return tokens(await login.complete(challenge, code, clientOf(request)), request);
      }),
    status: (request: AccountRequest) =>
      answer(async () => {
        const sub = await subjectOf(apo, request?.accessToken);
        const enabled = await twoFactor.isEnabled(sub);
        return jsonAnswer(200, { enabled, backupCodesLeft: enabled ? await twoFactor.backupCodesLeft(sub) : 0 });
      }),
    enrol: (request: AccountRequest) =>
      answer(async () => {
        const sub = await subjectOf(apo, request?.accessToken);
        const account = await users.findById(sub);
        // A valid token whose account is gone: nothing to enrol, and it should not be valid.
        if (account === undefined) throw new ApoJwtError('ERR_TOKEN_REVOKED', 'the token names no account');
        if (account.disabled) throw new ApoJwtError('ERR_ACCOUNT_DISABLED', 'the account is disabled');
        const { secret, uri, qrSvg } = await twoFactor.enrol(sub, account.email);
        return jsonAnswer(200, { secret, uri, qrSvg });
      }),
    confirm: (request: AccountRequest) =>
      answer(async () => {
        const sub = await subjectOf(apo, request?.accessToken);
        const backupCodes = await withCode(sub, request, (code) => twoFactor.confirm(sub, code));
        return jsonAnswer(200, { backupCodes });
      }),
    disable: (request: AccountRequest) =>
      answer(async () => {
        const sub = await subjectOf(apo, request?.accessToken);
        await withCode(sub, request, (code) => twoFactor.disable(sub, code));
        return noContent();
      }),
  });
}
