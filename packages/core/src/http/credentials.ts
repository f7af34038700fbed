import { parse } from 'cookie';
import { ApoJwtError, accessTokenMissing } from '../errors.js';

/**
 * Reads credentials from a request's raw header list (Node's
 * `IncomingMessage.rawHeaders`: name, value, name, value, ...). The raw list
 * is used because Node keeps only the first of two `Authorization` headers,
 * and exactly one credential must be sent.
 */

const SPACE = 32;
const BEARER = 'bearer';

/** An Authorization header that names another scheme (or none): not a Bearer credential at all. */
const NOT_BEARER = Symbol('not Bearer');

/**
 * One Authorization header value: the Bearer token, NOT_BEARER, or
 * ERR_REQUEST_MALFORMED (400 invalid_request).
 *
 * RFC 6750 §3.1: a request that carries no Bearer credentials (another
 * scheme such as `Basic`, a bare token with no scheme, an empty value) is
 * answered like one with no Authorization header, 401 without an error code.
 * A value that starts with "Bearer" (case-insensitive, RFC 9110 §11.1) is a
 * Bearer request and must be exactly "Bearer" 1*SP token: a tab or no space
 * after the scheme, no token (`Bearer` alone: the required b64token is
 * missing), or whitespace or a comma inside (extra parameters, a second
 * credential) is 400. The token's characters are not scanned here:
 * verification checks the token's format on every token it has not seen
 * before (a malformed token is RFC 6750's invalid_token, 401), and a token
 * it has verified already was well-formed, so the hot path reads it once.
 */
function parseAuthorization(value: string): string | typeof NOT_BEARER {
  if (!startsWithBearer(value)) return NOT_BEARER;
  if (value.length > BEARER.length && value.charCodeAt(BEARER.length) !== SPACE) throw malformedRequest('the Authorization header is not one Bearer credential');
  let start = BEARER.length;
  while (value.charCodeAt(start) === SPACE) start++;
  let end = value.length;
  while (end > start && value.charCodeAt(end - 1) === SPACE) end--;
  if (end === start) throw malformedRequest('the Authorization header names Bearer but carries no token');
  const token = value.slice(start, end);
  if (token.includes(' ') || token.includes(',') || token.includes('\t')) throw malformedRequest('the Authorization header is not one Bearer credential');
  return token;
}

/** Case-insensitive "bearer" at the start, without allocating a lower-cased copy (every request). */
function startsWithBearer(value: string): boolean {
  if (value.length < BEARER.length) return false;
  for (let i = 0; i < BEARER.length; i++) {
    // ASCII letters only: setting bit 0x20 lower-cases A-Z and maps nothing else onto a-z.
    if ((value.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  }
  return true;
}

export interface BearerOptions {
  /** Also accept the access token from this cookie. Header and cookie must then agree. */
  cookie?: string | undefined;
}

function malformedRequest(message: string): ApoJwtError {
  return new ApoJwtError('ERR_REQUEST_MALFORMED', message);
}

/** The values of every header named `name` (lower case), in order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as string;
    if (key.length === name.length && sameHeaderName(key, name)) values.push(rawHeaders[i + 1] as string);
  }
  return values;
}

/**
 * The value of a header that may be sent once, undefined when absent;
 * ERR_REQUEST_MALFORMED (`twice` says why) when it was sent more than once.
 * `headerValues` without the array: this runs on every guarded request.
 */
function onlyHeader(rawHeaders: readonly string[], name: string, twice: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as string;
    if (key.length !== name.length || !sameHeaderName(key, name)) continue;
    if (found !== undefined) throw malformedRequest(twice);
    found = rawHeaders[i + 1] as string;
  }
  return found;
}

/**
 * `key.toLowerCase() === lowerName` for header names (ASCII; Node decodes
 * them as latin1, where no other character lower-cases onto a-z), without
 * allocating a lower-cased copy on every request.
 */
function sameHeaderName(key: string, lowerName: string): boolean {
  if (key === lowerName) return true;
  for (let i = 0; i < lowerName.length; i++) {
    const c = key.charCodeAt(i);
    const n = lowerName.charCodeAt(i);
    if (c !== n && !(n >= 0x61 && n <= 0x7a && c === n - 0x20)) return false;
  }
  return true;
}

/** The one Authorization header's value as sent, undefined when absent; ERR_REQUEST_MALFORMED (400) when there are two. */
export function authorizationHeader(rawHeaders: readonly string[]): string | undefined {
  return onlyHeader(rawHeaders, 'authorization', 'more than one Authorization header was sent');
}

/**
 * The Bearer token of one Authorization header value; undefined when the
 * header names another scheme (or none): see parseAuthorization for the
 * rule and its 400s.
 */
export function bearerOfHeader(value: string): string | undefined {
  const parsed = parseAuthorization(value);
  return parsed === NOT_BEARER ? undefined : parsed;
}

/** `bearerOfHeader` for a request whose token can come from nothing else: another scheme is ERR_TOKEN_MISSING (401). */
export function requiredBearerOfHeader(value: string): string {
  const token = bearerOfHeader(value);
  if (token === undefined) throw accessTokenMissing();
  return token;
}

/**
 * The access token: `Authorization: Bearer <token>` and, when enabled, a
 * cookie. `undefined` when no Bearer credential was sent (no Authorization
 * header, or one of another scheme: the caller answers 401
 * ERR_TOKEN_MISSING). ERR_REQUEST_MALFORMED (400) for two Authorization
 * headers, a Bearer header that is not exactly one token, or a header and a
 * cookie that disagree.
 */
export function findBearerToken(rawHeaders: readonly string[], options: BearerOptions = {}): string | undefined {
  const authorization = authorizationHeader(rawHeaders);
  let token = authorization === undefined ? undefined : bearerOfHeader(authorization);
  if (options.cookie !== undefined) {
    const fromCookie = findCookie(rawHeaders, options.cookie);
    if (fromCookie !== undefined) {
      if (token !== undefined && token !== fromCookie) throw malformedRequest('the Authorization header and the token cookie disagree');
      token = fromCookie;
    }
  }
  return token;
}

/**
 * One cookie's value, `undefined` when absent or empty; ERR_REQUEST_MALFORMED
 * when the cookie is sent twice with different values (which one the client
 * meant cannot be known).
 */
export function findCookie(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const header of headerValues(rawHeaders, 'cookie')) {
    if (!header.includes(name)) continue;
    for (const pair of header.split(';')) {
      const value = parse(pair)[name];
      if (value === undefined || value === '') continue;
      if (found !== undefined && found !== value) throw malformedRequest(`the ${name} cookie was sent twice with different values`);
      found = value;
    }
  }
  return found;
}
