import { ApoJwtConfigError, ApoJwtError, authErrorResponse, knownKeys, NO_STORE, type AuthResponse } from '@apojwt/core';
import type { PostgresUserStore } from './user-store.js';
import type { PostgresSessionStore, SessionRevoker } from './session-store.js';

/** What the account endpoints need of an ApoJwt instance. */
export interface AccountIssuer extends SessionRevoker {
  verify(token: string): Promise<{ sub: string }>;
  readonly realm?: string | undefined;
}

export interface AccountHandlersOptions {
  apo: AccountIssuer;
  users: PostgresUserStore;
  sessions: PostgresSessionStore;
}

/** What a binding hands the handlers: plain values found in the request. */
export interface AccountRequest {
  /** The parsed JSON body (register). */
  body?: unknown;
  /** The request's access token (the session endpoints). */
  accessToken?: string | undefined;
  /** The session to end (revokeSession): a route parameter. */
  sessionId?: string | undefined;
}

export interface AccountHandlers {
  /** JSON `{ email, username?, password }` → 201 `{ id, email, username }`; 400 / 409 typed errors. */
  register(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 200 `{ sessions: [{ id, createdAt, lastUsedAt, expiresAt, ip, userAgent }] }`. */
  listSessions(request: AccountRequest): Promise<AuthResponse>;
  /** Access token + session id → 204 (also when the user has no such session: the answer tells nothing of others'). */
  revokeSession(request: AccountRequest): Promise<AuthResponse>;
  /** Access token → 204: every session ended, every token of the user revoked. */
  logoutEverywhere(request: AccountRequest): Promise<AuthResponse>;
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
  knownKeys('createAccountHandlers', options, ['apo', 'users', 'sessions']);
  const { apo, users, sessions } = options;
  if (apo === null || typeof apo?.verify !== 'function' || users === null || typeof users?.register !== 'function' || sessions === null || typeof sessions?.list !== 'function') {
    throw new ApoJwtConfigError('createAccountHandlers needs { apo, users, sessions }');
  }
  const realm = typeof apo.realm === 'string' ? apo.realm : undefined;
  const answer = async (work: () => Promise<AuthResponse>): Promise<AuthResponse> => {
    try {
      return await work();
    } catch (error) {
      return authErrorResponse(error, [], realm);
    }
  };
  const subject = async (request: AccountRequest | undefined): Promise<string> => {
    const token = request?.accessToken;
    if (typeof token !== 'string' || token.length === 0) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no access token');
    return (await apo.verify(token)).sub;
  };
  const json = (status: number, body: unknown): AuthResponse => ({ status, headers: { ...NO_STORE }, cookies: [], body });
  const done = (): AuthResponse => ({ status: 204, headers: { ...NO_STORE }, cookies: [], body: undefined });

  return Object.freeze({
    register: (request: AccountRequest) =>
      answer(async () => {
        const body = request?.body;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApoJwtError('ERR_BODY_INVALID', 'the body must be a JSON object');
        const { email, username, password } = body as Record<string, unknown>;
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
  });
}
