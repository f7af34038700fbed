import { ApoJwtConfigError, knownKeys, type AuthResponse } from '@apojwt/core';
import { bodyFields, jsonAnswer, noContent, refusalsAnswered, subjectOf } from './http-answers.js';
import type { PostgresUserStore } from './user-store.js';
import type { PostgresSessionStore, SessionRevoker } from './session-store.js';
import type { PostgresAccountFlows } from './account-flows.js';

/** What the account endpoints need of an ApoJwt instance. */
export interface AccountIssuer extends SessionRevoker {
  verify(token: string): Promise<{ sub: string }>;
  readonly realm?: string | undefined;
}

export interface AccountHandlersOptions {
  apo: AccountIssuer;
  users: PostgresUserStore;
  sessions: PostgresSessionStore;
  /** For the verification, reset and password-change endpoints; without it, calling one throws ApoJwtConfigError (a set-up error, not a request's). */
  flows?: PostgresAccountFlows;
}

/** What a binding hands the handlers: plain values found in the request. */
export interface AccountRequest {
  /** The parsed JSON body (register). */
  body?: unknown;
  /** The request's access token (the session endpoints). */
  accessToken?: string | undefined;
  /** The session to end (revokeSession): a route parameter. */
  sessionId?: string | undefined;
  /** The client IP: reset requests and two-factor steps are limited per IP, and a login's session records it. */
  ip?: string | undefined;
  /** The client's User-Agent header, recorded with a login's session. */
  userAgent?: string | undefined;
}

export interface AccountHandlers {
  /** Whether `flows` was given (the verification, reset and password-change endpoints answer). */
  readonly hasFlows: boolean;
  /** JSON `{ email, username?, password }` → 201 `{ id, email, username }`; 400 / 409 typed errors. */
  register(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 200 `{ sessions: [{ id, createdAt, lastUsedAt, expiresAt, ip, userAgent }] }`. */
  listSessions(request: AccountRequest): Promise<AuthResponse>;
  /** Access token + session id → 204 (also when the user has no such session: the answer tells nothing of others'). */
  revokeSession(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 204: every session ended, every token of the user revoked. */
  logoutEverywhere(request: AccountRequest): Promise<AuthResponse>;
  /** JSON `{ token }` → 204, the email verified; 400 ERR_ACCOUNT_TOKEN_INVALID. Needs `flows`. */
  verifyEmail(request: AccountRequest): Promise<AuthResponse>;
  /** JSON `{ email }` → 202 `{}` whether or not the account exists; 429 past the flows' `resetLimiter`. Needs `flows`. */
  requestPasswordReset(request: AccountRequest): Promise<AuthResponse>;
  /** JSON `{ token, password }` → 204, every session ended; 400 ERR_ACCOUNT_TOKEN_INVALID / ERR_PASSWORD_INVALID. Needs `flows`. */
  resetPassword(request: AccountRequest): Promise<AuthResponse>;
  /** Access token + JSON `{ currentPassword, newPassword }` → 204, every session ended; 401 for a wrong current password. Needs `flows`. */
  changePassword(request: AccountRequest): Promise<AuthResponse>;
}

/**
 * Registration and the session endpoints, framework-free like
 * `createAuthHandlers`: plain values in, an `AuthResponse` out, every refusal
 * a typed ApoJwtError with its one status and fixed message. A binding
 * copies status, headers and body (see docs/accounts.md for Express).
 * Roles are never read from the body: a registration gets none; the app
 * grants them with `users.setRoles`.
 */
export function createAccountHandlers(options: AccountHandlersOptions): AccountHandlers {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('createAccountHandlers needs { apo, users, sessions }');
  knownKeys('createAccountHandlers', options, ['apo', 'users', 'sessions', 'flows']);
  const { apo, users, sessions, flows } = options;
  if (flows !== undefined && typeof flows?.resetPassword !== 'function') throw new ApoJwtConfigError('createAccountHandlers: flows must be a PostgresAccountFlows');
  const needFlows = (): PostgresAccountFlows => {
    if (flows === undefined) throw new ApoJwtConfigError('this endpoint needs createAccountHandlers({ flows })');
    return flows;
  };
  if (apo === null || typeof apo?.verify !== 'function' || users === null || typeof users?.register !== 'function' || sessions === null || typeof sessions?.list !== 'function') {
    throw new ApoJwtConfigError('createAccountHandlers needs { apo, users, sessions }');
  }
  const realm = typeof apo.realm === 'string' ? apo.realm : undefined;
  const answer = refusalsAnswered(realm);
  const subject = (request: AccountRequest | undefined): Promise<string> => subjectOf(apo, request?.accessToken);
  const fields = (request: AccountRequest | undefined): Record<string, unknown> => bodyFields(request?.body);
  const json = jsonAnswer;
  const done = noContent;

  return Object.freeze({
    hasFlows: flows !== undefined,
    register: (request: AccountRequest) =>
      answer(async () => {
        const { email, username, password } = fields(request);
        const account = await users.register({ email, ...(username !== undefined && { username }), password });
        return json(201, { id: account.id, email: account.email, username: account.username ?? null });
      }),
    listSessions: (request: AccountRequest) =>
      answer(async () => {
        const list = await sessions.list(await subject(request));
        return json(200, {
          sessions: list.map(({ id, createdAt, lastUsedAt, expiresAt, ip, userAgent }) => ({ id, createdAt, lastUsedAt, expiresAt, ip: ip ?? null, userAgent: userAgent ?? null })),
        });
      }),
    revokeSession: (request: AccountRequest) =>
      answer(async () => {
        const sub = await subject(request);
        if (typeof request.sessionId === 'string') await sessions.revoke(sub, request.sessionId, apo);
        return done();
      }),
    logoutEverywhere: (request: AccountRequest) =>
      answer(async () => {
        await sessions.revokeAll(await subject(request), apo);
        return done();
      }),
    verifyEmail: (request: AccountRequest) => {
      const use = needFlows();
      return answer(async () => {
        await use.verifyEmail(fields(request)['token']);
        return done();
      });
    },
    requestPasswordReset: (request: AccountRequest) => {
      const use = needFlows();
      return answer(async () => {
        await use.requestPasswordReset(fields(request)['email'], { ip: request?.ip });
        return json(202, {});
      });
    },
    resetPassword: (request: AccountRequest) => {
      const use = needFlows();
      return answer(async () => {
        const { token, password } = fields(request);
        await use.resetPassword(token, password);
        return done();
      });
    },
    changePassword: (request: AccountRequest) => {
      const use = needFlows();
      return answer(async () => {
        const sub = await subject(request);
        const { currentPassword, newPassword } = fields(request);
        await use.changePassword(sub, currentPassword, newPassword);
        return done();
      });
    },
  });
}
