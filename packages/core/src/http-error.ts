import { ApoJwtError, type ApoJwtHttpStatus } from './errors.js';

/** What an adapter writes back for an `ApoJwtError`: status, headers and a JSON body. */
export interface HttpErrorResponse {
  status: ApoJwtHttpStatus;
  headers: Record<string, string>;
  body: { error: ApoJwtError['code']; message: string };
}

/**
 * Maps an error to the HTTP answer, RFC 6750 §3 included, so that adapters
 * only copy fields into their framework's response. The body and headers hold
 * the code and a fixed message: never the token, a secret or a claim.
 */
export function toHttpErrorResponse(error: ApoJwtError, realm?: string): HttpErrorResponse {
  const headers: Record<string, string> = {};
  const challenge = bearerChallenge(error, realm);
  if (challenge) headers['WWW-Authenticate'] = challenge;
  if (error.code === 'ERR_RATE_LIMITED') {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.details.retryAfterSeconds ?? 1)));
  }
  return { status: error.status, headers, body: { error: error.code, message: error.message } };
}

function bearerChallenge(error: ApoJwtError, realm: string | undefined): string | undefined {
  const params: string[] = [];
  if (realm) params.push(`realm="${realm}"`);
  switch (error.code) {
    // §3.1: a request without credentials gets a challenge with no error code.
    case 'ERR_TOKEN_MISSING':
    case 'ERR_CREDENTIALS_INVALID':
      break;
    case 'ERR_REQUEST_MALFORMED':
      params.push('error="invalid_request"', `error_description="${description(error.message)}"`);
      break;
    case 'ERR_PERMISSION_DENIED': {
      params.push('error="insufficient_scope"', `error_description="${description(error.message)}"`);
      const scope = error.details.requiredPermissions;
      if (scope && scope.length > 0) params.push(`scope="${scope.join(' ')}"`);
      break;
    }
    default:
      if (error.status !== 401) return undefined;
      params.push('error="invalid_token"', `error_description="${description(error.message)}"`);
  }
  return params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer';
}

/**
 * RFC 6750 §3: error_description holds only %x20-21 / %x23-5B / %x5D-7E. Our
 * own messages do; one written by a custom key resolver, store or finder
 * might not, and a quote would end the parameter early while a non-Latin-1
 * character makes Node refuse the header (a 500 instead of the 401).
 */
function description(message: string): string {
  return message.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?');
}
