import type { RevocationStore } from '@apojwt/express';

/** What every verifying service (orders, billing, catalog, shipping) is given: where the keys are, the clock, the shared revocations. */
export interface VerifierOptions {
  /** The auth service's base URL: its public keys are at /.well-known/jwks.json. */
  authUrl: string;
  now: () => number;
  revocationStore: RevocationStore;
  /** Orders only, which calls billing on behalf of the user: billing's base URL (billing starts before orders). */
  billingUrl?: string | undefined;
}

export const tokenUrlOf = (options: VerifierOptions): string => new URL('/auth/token', options.authUrl).href;

export const jwksUriOf = (options: VerifierOptions): string => new URL('/.well-known/jwks.json', options.authUrl).href;
