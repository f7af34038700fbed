import { NO_STORE, type AuthResponse } from '@apojwt/core';
import type { ServiceClient } from './service-clients.js';

/** A grant of the token endpoint (client credentials, token exchange): given the authenticated client and the parameters. */
export type GrantHandler = (client: ServiceClient, params: ReadonlyMap<string, string>) => Promise<AuthResponse>;

/** RFC 6749 §5.1. */
export function tokenAnswer(token: string, expiresIn: number, permissions: readonly string[], extra: Record<string, string> = {}): AuthResponse {
  return {
    status: 200,
    headers: { ...NO_STORE },
    cookies: [],
    body: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: permissions.join(' '), ...extra },
  };
}
