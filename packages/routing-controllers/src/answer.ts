import { UnauthorizedError } from 'routing-controllers';
import { ApoJwtError, accessTokenMissing, isApoJwtError, toHttpErrorResponse, type HttpErrorResponse } from '@apojwt/core';

/**
 * The HTTP answer for a refusal, or undefined for any other error (the app's
 * own error handling answers those). Status and body come from core's one
 * table. The challenge is the one core put on the error when it threw it for
 * the framework (`frameworkError`, with the realm of the instance that
 * refused); an ApoJwtError thrown without it gets core's challenge without a realm.
 */
export function refusalAnswer(error: unknown): HttpErrorResponse | undefined {
  if (isApoJwtError(error)) {
    const answer = toHttpErrorResponse(error);
    const headers = challengeHeaders(error);
    return headers === undefined ? answer : { ...answer, headers };
  }
  // `@CurrentUser({ required: true })` with no user: routing-controllers' own
  // "authorization required". With apojwt's currentUserChecker that means no
  // token was sent, which core answers as ERR_TOKEN_MISSING (RFC 6750 §3.1).
  if (isAuthorizationRequired(error)) return toHttpErrorResponse(accessTokenMissing());
  return undefined;
}

function challengeHeaders(error: ApoJwtError): Record<string, string> | undefined {
  const headers = (error as ApoJwtError & { headers?: unknown }).headers;
  if (headers === null || typeof headers !== 'object') return undefined;
  const entries = Object.entries(headers);
  return entries.every(([, value]) => typeof value === 'string') ? Object.fromEntries(entries) : undefined;
}

// routing-controllers does not export the class; it is its UnauthorizedError with this name.
function isAuthorizationRequired(error: unknown): boolean {
  return error instanceof UnauthorizedError && error.name === 'AuthorizationRequiredError';
}
