/**
 * Every failure a request can cause is an `ApoJwtError` with one `code` from a
 * closed list. Each code has exactly one HTTP status, in `STATUS_BY_CODE`
 * below: adapters never choose a status themselves.
 *
 * Messages are written for the person reading logs. They never contain the
 * token, a secret, or a claim value: those are attacker-controlled or
 * sensitive (see RFC 8725 §3.1 and OWASP logging guidance).
 */

export const STATUS_BY_CODE = {
  /** No credentials were sent at all. RFC 6750 §3.1: no error attribute. */
  ERR_TOKEN_MISSING: 401,
  /** The Authorization header is not one well-formed Bearer credential, or credentials disagree. */
  ERR_REQUEST_MALFORMED: 400,
  /** A request body (login, refresh) is not what the endpoint takes. */
  ERR_BODY_INVALID: 400,
  /** A request body larger than the endpoint reads (login: `bodyLimit`). */
  ERR_BODY_TOO_LARGE: 413,
  /** Larger than `maxTokenBytes`; rejected before any parsing. */
  ERR_TOKEN_TOO_LARGE: 401,
  /** Not three base64url segments of JSON objects. */
  ERR_TOKEN_MALFORMED: 401,
  /** Header `alg` is not the one algorithm this instance accepts (includes `none`). */
  ERR_ALGORITHM_NOT_ALLOWED: 401,
  /** No key for the header's `kid`. */
  ERR_KEY_UNKNOWN: 401,
  /** The signature does not match. */
  ERR_SIGNATURE_INVALID: 401,
  /** An access token where a refresh token is needed, or the reverse. */
  ERR_TOKEN_TYPE_INVALID: 401,
  /** `exp` is in the past (beyond the clock tolerance). */
  ERR_TOKEN_EXPIRED: 401,
  /** `nbf` (or `iat`) is in the future (beyond the clock tolerance). */
  ERR_TOKEN_NOT_YET_VALID: 401,
  /** A required claim is missing or has the wrong shape, or `iss`/`aud` do not match. */
  ERR_CLAIM_INVALID: 401,
  /** Revoked by `jti`, by subject, or by refresh family. */
  ERR_TOKEN_REVOKED: 401,
  /** A refresh token that was already rotated was presented again: its family is revoked. */
  ERR_REFRESH_REUSED: 401,
  /** Unknown user or wrong password: one code for both, on purpose. */
  ERR_CREDENTIALS_INVALID: 401,
  /** The account exists but may not log in (refused by the `isDisabled` hook). */
  ERR_ACCOUNT_DISABLED: 403,
  /** A valid token without the permission the route requires. */
  ERR_PERMISSION_DENIED: 403,
  /** A password that cannot be hashed (empty), or one a registration refuses (too short or too long). */
  ERR_PASSWORD_INVALID: 400,
  /** A registration's email is not one address (after NFKC and lower-casing). */
  ERR_EMAIL_INVALID: 400,
  /** A registration's username breaks the username rules (after NFKC and lower-casing). */
  ERR_USERNAME_INVALID: 400,
  /** A registration whose email or username is already taken. */
  ERR_ACCOUNT_EXISTS: 409,
  /** An email-verification or password-reset token that is unknown, used or expired: one code for all three. */
  ERR_ACCOUNT_TOKEN_INVALID: 400,
  /** A wrong, replayed or used one-time code (TOTP or backup code), or a second login step that is unknown, used or expired. */
  ERR_OTP_INVALID: 401,
  /** Two-factor enrolment asked for while two-factor login is already on (disable it first). */
  ERR_TWO_FACTOR_ENABLED: 409,
  /** Too many attempts; `retryAfterSeconds` says when to come back. */
  ERR_RATE_LIMITED: 429,
  /** A token endpoint's client authentication failed: unknown, disabled, or a wrong secret or assertion (RFC 6749 §5.2 invalid_client). */
  ERR_CLIENT_INVALID: 401,
  /** A token request asks for a scope (permissions) beyond what the client may receive (RFC 6749 §5.2 invalid_scope). */
  ERR_SCOPE_INVALID: 400,
  /** A token request's `grant_type` is not one this endpoint serves (RFC 6749 §5.2 unsupported_grant_type). */
  ERR_GRANT_UNSUPPORTED: 400,
  /** A token exchange asks for an audience the client may not reach (RFC 8693 §2.2.2 invalid_target). */
  ERR_TARGET_INVALID: 400,
  /** A token request is malformed: a parameter missing, repeated or not a string (RFC 6749 §5.2 invalid_request). */
  ERR_TOKEN_REQUEST_INVALID: 400,
  /** An API key that is malformed, of another prefix, fails its checksum, is unknown, or whose secret does not match: one code for all, on purpose. */
  ERR_API_KEY_INVALID: 401,
  /** An API key past its expiry (or past the overlap of a rotation that replaced it). */
  ERR_API_KEY_EXPIRED: 401,
  /** An API key that was revoked. */
  ERR_API_KEY_REVOKED: 401,
  /** A store the check depends on (revocation, rotation, limits, JWKS) cannot answer; fail closed. */
  ERR_STORE_UNAVAILABLE: 503,
} as const satisfies Record<string, 400 | 401 | 403 | 409 | 413 | 429 | 503>;

export type ApoJwtErrorCode = keyof typeof STATUS_BY_CODE;
export type ApoJwtHttpStatus = (typeof STATUS_BY_CODE)[ApoJwtErrorCode];

export interface ApoJwtErrorDetails {
  /** For ERR_PERMISSION_DENIED: the permissions the route asked for (names, not token contents). */
  requiredPermissions?: readonly string[];
  /** For ERR_PERMISSION_DENIED by a rule: how the rule reads (`allOf("orders:read", owner)`), never what the token holds. */
  requirement?: string;
  /** For ERR_RATE_LIMITED: seconds until a new attempt may succeed. */
  retryAfterSeconds?: number;
  /** For ERR_CLAIM_INVALID: which claim failed (its name, never its value). */
  claim?: string;
  /**
   * The authentication schemes the route accepts, in challenge order
   * (`['Bearer', 'ApiKey']`), when they are not Bearer alone: the
   * WWW-Authenticate header names each of them.
   */
  schemes?: readonly string[];
}

export class ApoJwtError extends Error {
  override readonly name = 'ApoJwtError';
  readonly code: ApoJwtErrorCode;
  readonly status: ApoJwtHttpStatus;
  readonly details: Readonly<ApoJwtErrorDetails>;

  constructor(code: ApoJwtErrorCode, message: string, details: ApoJwtErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = STATUS_BY_CODE[code];
    this.details = Object.freeze({ ...details });
  }
}

/**
 * Misuse of the API by the application itself (a bad option, a short secret).
 * Thrown at construction time, never in answer to a request; a `TypeError`
 * like jose's, so it is never mistaken for a client's fault.
 */
export class ApoJwtConfigError extends TypeError {
  override readonly name = 'ApoJwtConfigError';
  readonly code = 'ERR_APOJWT_CONFIG' as const;
}

export function isApoJwtError(value: unknown): value is ApoJwtError {
  return value instanceof ApoJwtError;
}

/** A request without an access token (none sent, or an Authorization header of another scheme): 401 with no error code. */
export function accessTokenMissing(): ApoJwtError {
  return new ApoJwtError('ERR_TOKEN_MISSING', 'no access token was sent');
}
