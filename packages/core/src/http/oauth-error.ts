import { handlerFailure } from '../failure-value.js';
import { isApoJwtError, type ApoJwtErrorCode } from '../errors.js';
import { PUBLIC_MESSAGE_BY_CODE, toHttpErrorResponse } from '../http-error.js';
import { NO_STORE, type AuthResponse } from './token-response.js';

/**
 * The error codes of an OAuth token endpoint (RFC 6749 §5.2, RFC 8693 §2.2.2)
 * for the apojwt codes a token request can fail with. A token request's body
 * is the one OAuth clients parse: `{ error, error_description }`, with the
 * apojwt code beside it (`code`) for logs and for clients of this project.
 * The status and headers are core's own (`STATUS_BY_CODE`,
 * `toHttpErrorResponse`). A lockout (429, with `Retry-After`) and a store
 * that cannot answer (503) are both "try again later": RFC 6749 names that
 * `temporarily_unavailable` (§4.1.2.1), and the status and `code` tell the
 * two apart, so a client (core's `exchangingFetch`) keeps the 429 and its
 * wait. Codes a token request cannot fail with keep the project's body.
 */
export const OAUTH_ERROR_BY_CODE: Readonly<Partial<Record<ApoJwtErrorCode, string>>> = Object.freeze({
  ERR_CLIENT_INVALID: 'invalid_client',
  ERR_SCOPE_INVALID: 'invalid_scope',
  ERR_GRANT_UNSUPPORTED: 'unsupported_grant_type',
  ERR_TARGET_INVALID: 'invalid_target',
  ERR_TOKEN_REQUEST_INVALID: 'invalid_request',
  ERR_BODY_INVALID: 'invalid_request',
  ERR_BODY_TOO_LARGE: 'invalid_request',
  ERR_REQUEST_MALFORMED: 'invalid_request',
  ERR_RATE_LIMITED: 'temporarily_unavailable',
  ERR_STORE_UNAVAILABLE: 'temporarily_unavailable',
});

export interface OAuthErrorBody {
  error: string;
  error_description: string;
  code: ApoJwtErrorCode;
}

/** The answer of a token endpoint for a refusal (rethrows anything that is not an ApoJwtError, for the framework's 500). */
export function oauthErrorResponse(error: unknown, realm: string | undefined): AuthResponse {
  // Not a refusal: the app's error handling answers it (500), so it must read as a failure there.
  if (!isApoJwtError(error)) throw handlerFailure(error, 'the token endpoint');
  const http = toHttpErrorResponse(error, realm);
  const oauth = OAUTH_ERROR_BY_CODE[error.code];
  const body: OAuthErrorBody | typeof http.body = oauth === undefined ? http.body : { error: oauth, error_description: PUBLIC_MESSAGE_BY_CODE[error.code], code: error.code };
  return { status: http.status, headers: { ...http.headers, ...NO_STORE }, cookies: [], body, error };
}
