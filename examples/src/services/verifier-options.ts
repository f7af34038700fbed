import type { RevocationStore } from '@apojwt/express';

/** What every verifying service (orders, billing, catalog, shipping) is given: where the keys are, the clock, the shared revocations. */
export interface VerifierOptions {
  /** The auth service's base URL: its public keys are at /.well-known/jwks.json. */
  authUrl: string;
  now: () => number;
  revocationStore: RevocationStore;
}

export const jwksUriOf = (options: VerifierOptions): string => new URL('/.well-known/jwks.json', options.authUrl).href;
