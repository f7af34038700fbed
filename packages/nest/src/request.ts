import { IncomingMessage } from 'node:http';
import { ApoJwtConfigError, findBearerToken, findCookie, instanceTest, requestValues, type AccessClaims, type InjectedValues, type RefreshClaims } from '@apojwt/core';

const isNodeRequest = instanceTest(IncomingMessage);

/**
 * The two platforms hand handlers different request objects: Express's `req`
 * is Node's IncomingMessage itself, Fastify's `request` wraps it as
 * `request.raw`. Credentials are read from Node's raw header list on both
 * (core's finders take `rawHeaders`: a second Authorization header stays
 * visible there), so the answer never depends on the platform.
 */
export function rawRequestOf(request: unknown): IncomingMessage {
  if (isNodeRequest(request)) return request as IncomingMessage;
  const raw = (request as { raw?: unknown } | null | undefined)?.raw;
  if (isNodeRequest(raw)) return raw as IncomingMessage;
  throw new ApoJwtConfigError('@apojwt/nest reads requests of @nestjs/platform-express and @nestjs/platform-fastify only: this request is neither');
}

/**
 * The parsed body, only when the request carried one. Both platforms parse
 * before the handler runs, and Express's JSON parser gives an empty or
 * absent body as `{}`: it would reach a handler as an object without fields
 * (answered as a missing e-mail or password, not as a missing body). A
 * request without body bytes (no Content-Length above 0, no
 * Transfer-Encoding) has no body, whatever the parser left.
 */
export function sentBody(request: unknown): unknown {
  const { headers } = rawRequestOf(request);
  const chunked = headers['transfer-encoding'] !== undefined;
  const length = headers['content-length'];
  if (!chunked && (length === undefined || Number(length) === 0)) return undefined;
  return (request as { body?: unknown }).body;
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
 * Where the guard's values live: core's `requestValues` (a WeakMap keyed by
 * the request, read through accessors, the guard's values always winning),
 * on the prototype of the request object the handler sees (Express: the
 * app's `request`; Fastify: its Request). Reading `req.tokenSubject`
 * (`@Req()`, the parameter decorators, `GuardedRequest`) is unchanged. A
 * plain request object gets plain properties.
 */
type Values = Partial<InjectedValues>;
const values = requestValues<Values>('apojwt.nest.requestValues', ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims']);

function attach(request: object, injected: Values): void {
  const proto = Object.getPrototypeOf(request) as object | null;
  values.attach(request, proto === null || proto === Object.prototype ? undefined : proto, injected);
}

/**
 * Verified values (core's decorators, through the template) go on the
 * request object the handler sees, where the parameter decorators and
 * `GuardedRequest` read them. A second check on the same request adds to the first.
 */
export function attachValues(request: object, injected: InjectedValues): void {
  attach(request, injected);
}

/** The guard's access values. */
export function attachAccess(request: object, claims: AccessClaims<string, object>): void {
  attach(request, { tokenData: claims.data, tokenSubject: claims.sub, tokenPermissions: claims.perms, tokenClaims: claims });
}

export function attachRefresh(request: object, claims: RefreshClaims<object>): void {
  attach(request, { refreshData: claims.data, refreshClaims: claims });
}

// The refresh family a @Refresh() check consumed, for the interceptor that runs the handler.
const families = new WeakMap<object, string>();

export function rememberFamily(request: object, family: string): void {
  families.set(request, family);
}

export function familyOf(request: object): string | undefined {
  return families.get(request);
}
