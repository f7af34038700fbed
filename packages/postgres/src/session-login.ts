import { ApoJwtConfigError, type CreateTokenInput, type LoginContext, type LoginFunction, type RefreshClaims, type TokenPair } from '@apojwt/core';
import type { PostgresSessionStore, SessionRevoker } from './session-store.js';

/** What session tracking needs of an ApoJwt instance with refresh tokens. */
export interface SessionIssuer<P extends string = string, D extends object = object, R extends object = object> extends SessionRevoker {
  /** Named so that the instance's permission, data and refresh-data types are inferred. */
  createToken(input?: CreateTokenInput<P, D, R>): unknown;
  login(username: string, password: string, context?: LoginContext): Promise<unknown>;
  verifyRefresh(token: string): Promise<RefreshClaims<R>>;
  nowSeconds(): number;
}

export interface SessionTracking<P extends string = string, D extends object = object, R extends object = object> {
  /** `apo.login` that records the login's refresh family as a session (IP and User-Agent from the context). */
  readonly login: LoginFunction<true>;
  /** For the refresh endpoint's `issue` option: marks the session used, then carries the subject and refresh data over. */
  readonly issue: (claims: RefreshClaims<R>) => Promise<CreateTokenInput<P, D, R>>;
}

/** What recording a session needs of an ApoJwt instance. */
export type SessionRecorder = SessionRevoker & Pick<SessionIssuer, 'verifyRefresh'>;

/**
 * Records the refresh family of freshly issued tokens as a session (IP and
 * User-Agent from the login's context) and hands the pair back. Shared by
 * `trackSessions` and the two-step login, so both kinds of login are listed.
 */
export async function recordSession(apo: SessionRecorder, sessions: PostgresSessionStore, issued: unknown, context: LoginContext = {}): Promise<TokenPair> {
  const pair = issued as TokenPair;
  if (pair === null || typeof pair !== 'object' || typeof pair.refreshToken !== 'string') throw new ApoJwtConfigError('session tracking needs an instance with refresh tokens');
  const claims = await apo.verifyRefresh(pair.refreshToken);
  await sessions.start({ family: claims.fam, userId: claims.sub, expiresAt: claims.exp, ip: context.ip, userAgent: context.userAgent }, apo);
  return pair;
}

/**
 * Sessions for the ready-made endpoints:
 * `createAuthHandlers({ apo, ...trackSessions(apo, sessions) })`.
 */
export function trackSessions<P extends string = string, D extends object = object, R extends object = object>(
  apo: SessionIssuer<P, D, R>,
  sessions: PostgresSessionStore,
): SessionTracking<P, D, R> {
  if (apo === null || typeof apo !== 'object' || typeof apo.verifyRefresh !== 'function') throw new ApoJwtConfigError('trackSessions needs an ApoJwt instance');
  return Object.freeze({
    async login(username: string, password: string, context: LoginContext = {}): Promise<TokenPair> {
      return recordSession(apo, sessions, await apo.login(username, password, context), context);
    },
    async issue(claims: RefreshClaims<R>): Promise<CreateTokenInput<P, D, R>> {
      // The new refresh token lives as long as the one it replaces.
      await sessions.touch(claims.fam, apo.nowSeconds() + (claims.exp - claims.iat));
      return { sub: claims.sub, refreshData: claims.data };
    },
  });
}
