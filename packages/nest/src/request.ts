import { IncomingMessage } from 'node:http';
import { ApoJwtConfigError, findBearerToken, findCookie, type AccessClaims, type InjectedValues, type RefreshClaims } from '@apojwt/core';

/**
 * The two platforms hand handlers different request objects: Express's `req`
 * is Node's IncomingMessage itself, Fastify's `request` wraps it as
 * `request.raw`. Credentials are read from Node's raw header list on both
 * (core's finders take `rawHeaders`: a second Authorization header stays
 * visible there), so the answer never depends on the platform.
 */
export function rawRequestOf(request: unknown): IncomingMessage {
  if (request instanceof IncomingMessage) return request;
  const raw = (request as { raw?: unknown } | null | undefined)?.raw;
  if (raw instanceof IncomingMessage) return raw;
  throw new ApoJwtConfigError('@apojwt/nest reads requests of @nestjs/platform-express and @nestjs/platform-fastify only: this request is neither');
}

/** Where the access and the refresh token are. */
export interface Credentials {
  /** Also accept the access token from this cookie (header and cookie must agree). */
  readonly cookie: string | undefined;
  /** The refresh token's cookie. */
  readonly refreshCookie: string;
}

/** The access token, undefined when none was sent; ERR_REQUEST_MALFORMED for a malformed credential. */
export function accessTokenOf(request: unknown, credentials: Credentials): string | undefined {
  return findBearerToken(rawRequestOf(request).rawHeaders, { cookie: credentials.cookie });
}

/** The refresh token from its cookie, undefined when none was sent. */
export function refreshTokenOf(request: unknown, credentials: Credentials): string | undefined {
  return findCookie(rawRequestOf(request).rawHeaders, credentials.refreshCookie);
}

/**
 * Verified values go on the request object the handler sees (`@Req()`:
 * Express's req, Fastify's request), where the parameter decorators and
 * `GuardedRequest` read them. A second check on the same request adds to the first.
 */
export function attachValues(request: object, values: InjectedValues): void {
  Object.assign(request, values);
}

/**
 * The guard's own attach: the same properties in the same order as
 * `attachValues`, written directly (no values object per request, no
 * `Object.assign` walking one).
 */
export function attachAccess(request: object, claims: AccessClaims<string, object>): void {
  const target = request as Record<keyof InjectedValues, unknown>;
  target.tokenData = claims.data;
  target.tokenSubject = claims.sub;
  target.tokenPermissions = claims.perms;
  target.tokenClaims = claims;
}

export function attachRefresh(request: object, claims: RefreshClaims<object>): void {
  const target = request as Record<keyof InjectedValues, unknown>;
  target.refreshData = claims.data;
  target.refreshClaims = claims;
}

// The refresh family a @Refresh() check consumed, for the interceptor that runs the handler.
const families = new WeakMap<object, string>();

export function rememberFamily(request: object, family: string): void {
  families.set(request, family);
}

export function familyOf(request: object): string | undefined {
  return families.get(request);
}
