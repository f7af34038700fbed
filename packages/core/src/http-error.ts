import { ApoJwtError, type ApoJwtErrorCode, type ApoJwtHttpStatus } from './errors.js';

/**
 * What a client is told, per code: one fixed sentence. An error's own
 * `message` may come from custom code (a key resolver quoting the attacker's
 * `kid`, a store quoting its host or a subject); it stays on the error, with
 * its `cause`, for the server's log, and never reaches the response body or
 * the challenge. Each sentence keeps to RFC 6750 §3's error_description
 * characters (%x20-21 / %x23-5B / %x5D-7E).
 */
export const PUBLIC_MESSAGE_BY_CODE = {
  ERR_TOKEN_MISSING: 'no token was sent',
  ERR_REQUEST_MALFORMED: 'the request does not carry exactly one well-formed Bearer credential',
  ERR_BODY_INVALID: 'the request body is not valid JSON, or not an object with string username and password',
  ERR_BODY_TOO_LARGE: 'the request body is larger than this endpoint reads',
  ERR_TOKEN_TOO_LARGE: 'the token is larger than this service accepts',
  ERR_TOKEN_MALFORMED: 'the token is not a well-formed JWT',
  ERR_ALGORITHM_NOT_ALLOWED: 'the token algorithm is not the one this service accepts',
  ERR_KEY_UNKNOWN: 'no verification key matches the token header',
  ERR_SIGNATURE_INVALID: 'the token signature is invalid',
  ERR_TOKEN_TYPE_INVALID: 'the token is not of the type this endpoint takes',
  ERR_TOKEN_EXPIRED: 'the token has expired',
  ERR_TOKEN_NOT_YET_VALID: 'the token is not valid yet',
  ERR_CLAIM_INVALID: 'a claim of the token is missing, malformed or not accepted here',
  ERR_TOKEN_REVOKED: 'the token has been revoked',
  ERR_REFRESH_REUSED: 'the refresh token was already used; its sessions are revoked',
  ERR_CREDENTIALS_INVALID: 'invalid username or password',
  ERR_ACCOUNT_DISABLED: 'the account is disabled',
  ERR_PERMISSION_DENIED: 'the token does not grant the permission this route requires',
  ERR_PASSWORD_INVALID: 'the password is empty, too short or too long',
  ERR_EMAIL_INVALID: 'the email address is not valid',
  ERR_USERNAME_INVALID: 'the username is not valid',
  ERR_ACCOUNT_EXISTS: 'an account with this email or username already exists',
  ERR_ACCOUNT_TOKEN_INVALID: 'the link is invalid, already used or expired',
  ERR_OTP_INVALID: 'the one-time code is wrong or was already used, or the login step expired',
  ERR_TWO_FACTOR_ENABLED: 'two-factor login is already on for this account; disable it first',
  ERR_RATE_LIMITED: 'too many attempts; try again later',
  ERR_CLIENT_INVALID: 'client authentication failed',
  ERR_SCOPE_INVALID: 'the requested scope exceeds what this client may receive',
  ERR_GRANT_UNSUPPORTED: 'this grant type is not supported here',
  ERR_TARGET_INVALID: 'the requested audience is not one this client may ask tokens for',
  ERR_TOKEN_REQUEST_INVALID: 'the token request is missing a parameter, repeats one, or has one of the wrong form',
  ERR_API_KEY_INVALID: 'the API key is not valid',
  ERR_API_KEY_EXPIRED: 'the API key has expired',
  ERR_API_KEY_REVOKED: 'the API key has been revoked',
  ERR_STORE_UNAVAILABLE: 'a store this check depends on is unavailable; try again later',
} as const satisfies Record<ApoJwtErrorCode, string>;

/** What an adapter writes back for an `ApoJwtError`: status, headers and a JSON body. */
export interface HttpErrorResponse {
  status: ApoJwtHttpStatus;
  headers: Record<string, string>;
  body: { error: ApoJwtError['code']; message: string };
}

/**
 * Maps an error to the HTTP answer, RFC 6750 §3 included, so that adapters
 * only copy fields into their framework's response. The body and headers hold
 * the code and its fixed message (`PUBLIC_MESSAGE_BY_CODE`), never the
 * error's own message: never the token, a secret, a claim or custom text.
 */
export function toHttpErrorResponse(error: ApoJwtError, realm?: string): HttpErrorResponse {
  const headers: Record<string, string> = {};
  const challenge = bearerChallenge(error, realm);
  if (challenge) headers['WWW-Authenticate'] = challenge;
  if (error.code === 'ERR_RATE_LIMITED') {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.details.retryAfterSeconds ?? 1)));
  }
  return { status: error.status, headers, body: { error: error.code, message: PUBLIC_MESSAGE_BY_CODE[error.code] } };
}

function bearerChallenge(error: ApoJwtError, realm: string | undefined): string | undefined {
  // RFC 6749 §5.2: a client that failed to authenticate is challenged with the
  // scheme clients authenticate with at a token endpoint (§2.3.1: Basic).
  if (error.code === 'ERR_CLIENT_INVALID') return `Basic realm="${realm ?? 'token'}"`;
  const schemes = error.details.schemes;
  if (schemes !== undefined && schemes.length > 0) return schemesChallenge(error, realm, schemes);
  const params: string[] = [];
  const description = `error_description="${PUBLIC_MESSAGE_BY_CODE[error.code]}"`;
  if (realm) params.push(`realm="${realm}"`);
  switch (error.code) {
    // §3.1: a request without credentials gets a challenge with no error code.
    case 'ERR_TOKEN_MISSING':
    case 'ERR_CREDENTIALS_INVALID':
      break;
    case 'ERR_REQUEST_MALFORMED':
      params.push('error="invalid_request"', description);
      break;
    case 'ERR_PERMISSION_DENIED': {
      params.push('error="insufficient_scope"', description);
      const scope = error.details.requiredPermissions;
      if (scope && scope.length > 0) params.push(`scope="${scope.join(' ')}"`);
      break;
    }
    default:
      if (error.status !== 401) return undefined;
      params.push('error="invalid_token"', description);
  }
  return params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * A route that accepts more than Bearer (API keys): RFC 9110 §11.6.1 allows
 * one challenge per scheme in one header. A request without any credential
 * is challenged with every accepted scheme and no error; a refused API key
 * with its own scheme and error; a Bearer refusal as RFC 6750 says, under
 * the Bearer scheme.
 */
function schemesChallenge(error: ApoJwtError, realm: string | undefined, schemes: readonly string[]): string | undefined {
  const realmParam = realm ? `realm="${realm}"` : undefined;
  const challenge = (scheme: string, params: readonly (string | undefined)[]): string => {
    const present = params.filter((p): p is string => p !== undefined);
    return present.length > 0 ? `${scheme} ${present.join(', ')}` : scheme;
  };
  if (error.code === 'ERR_TOKEN_MISSING') return schemes.map((scheme) => challenge(scheme, [realmParam])).join(', ');
  if (error.code !== 'ERR_REQUEST_MALFORMED' && error.status !== 401 && error.status !== 403) return undefined;
  const description = `error_description="${PUBLIC_MESSAGE_BY_CODE[error.code]}"`;
  const code =
    error.code === 'ERR_PERMISSION_DENIED'
      ? 'insufficient_scope'
      : error.code === 'ERR_REQUEST_MALFORMED'
        ? 'invalid_request'
        : error.code.startsWith('ERR_API_KEY')
          ? 'invalid_key'
          : 'invalid_token';
  const scope = error.code === 'ERR_PERMISSION_DENIED' && error.details.requiredPermissions?.length ? `scope="${error.details.requiredPermissions.join(' ')}"` : undefined;
  return challenge(schemes[0] as string, [realmParam, `error="${code}"`, description, scope]);
}
