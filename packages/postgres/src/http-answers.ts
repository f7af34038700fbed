import { ApoJwtError, authErrorResponse, NO_STORE, type AuthResponse } from '@apojwt/core';

// The small pieces every account endpoint is made of: read the JSON body,
// find the caller from the access token, describe a 200/201/202 or 204.

/** What an endpoint needs to know who calls it. */
export interface SubjectVerifier {
  verify(token: string): Promise<{ sub: string }>;
}

/** The body as an object (a JSON string is parsed); ERR_BODY_INVALID (400) otherwise. */
export function bodyFields(body: unknown): Record<string, unknown> {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      value = undefined;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApoJwtError('ERR_BODY_INVALID', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** The subject of the request's access token: ERR_TOKEN_MISSING without one, the token's own 401 when it does not verify. */
export async function subjectOf(apo: SubjectVerifier, accessToken: string | undefined): Promise<string> {
  if (typeof accessToken !== 'string' || accessToken.length === 0) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no access token');
  return (await apo.verify(accessToken)).sub;
}

/** A JSON answer; never cached (it may carry secrets shown once, such as backup codes). */
export function jsonAnswer(status: number, body: unknown): AuthResponse {
  return { status, headers: { ...NO_STORE }, cookies: [], body };
}

export function noContent(): AuthResponse {
  return { status: 204, headers: { ...NO_STORE }, cookies: [], body: undefined };
}

/**
 * Runs an endpoint's work; a refusal (an ApoJwtError) becomes its answer,
 * anything else is thrown for the framework's 500.
 */
export function refusalsAnswered(realm: string | undefined): (work: () => Promise<AuthResponse>) => Promise<AuthResponse> {
  return async (work) => {
    try {
      return await work();
    } catch (error) {
      return authErrorResponse(error, [], realm);
    }
  };
}
